/**
 * Whom an external database user stands for. Atlas names OIDC and LDAP database users after the
 * identity provider's own identity, so they can be joined to people (the HR roster) and checked for
 * orphans (an identity nobody in the directory holds any more):
 * - OIDC (`oidcAuthType` IDP_GROUP / USER): `<idpId>/<name>`, where name is the IdP's user principal
 *   or group name (Atlas Admin API `CloudDatabaseUser.username`: "OIDC: IdP ID and IdP user or group
 *   name separated by a slash").
 * - LDAP (`ldapAuthType` USER / GROUP): the distinguished name (RFC 4514), e.g.
 *   `uid=alice,ou=people,dc=example,dc=com`, or a plain name where the project maps user names to DNs.
 *
 * An address is derived only where the identity states it: an OIDC name or LDAP name that is an
 * address, a DN's `mail`/`email`/`emailAddress`/`E` attribute, or a DN's `uid` joined to its `dc`
 * components (the common directory layout: uid=alice + dc=example,dc=com -> alice@example.com).
 * A CN such as "Alice Smith" names no address: guessing one would join the wrong person.
 * Groups are never a person, and have no address.
 */

/** The identity an OIDC or LDAP database user stands for; other kinds stand for no directory identity. */
export interface DatabaseIdentity {
  /** Which directory names it. */
  provider: 'oidc' | 'ldap';
  /** A group of the directory (its members are the people), not one person. */
  isGroup: boolean;
  /** The OIDC identity provider's id (the part before the slash); null for LDAP. */
  idpId: string | null;
  /** The directory's own name: the OIDC principal or group name, the LDAP DN or user name. */
  name: string;
  /** Lower-cased email address the identity states; null when it states none (and for groups). */
  address: string | null;
}

const ADDRESS = /^[^\s@,=/]+@[^\s@,=/]+\.[^\s@,=/]+$/;

/** The lower-cased address when `value` is one, else null. */
function addressIn(value: string): string | null {
  const v = value.trim().toLowerCase();
  return ADDRESS.test(v) ? v : null;
}

/** One attribute of a DN: the type lower-cased, the value unescaped. */
export interface DnPart {
  type: string;
  value: string;
}

/**
 * Splits an RFC 4514 distinguished name into its attributes, unescaping `\,`-style and `\2C`-style
 * escapes; multi-valued RDNs (`+`) are split too. Null when `dn` is not a DN (no `type=value`).
 * Hand-written: the only DN parser on npm (@ldapjs/dn) belongs to the decommissioned ldapjs project,
 * and this needs the two escape forms only.
 */
export function parseDn(dn: string): DnPart[] | null {
  const parts: DnPart[] = [];
  let current = '';
  const pieces: string[] = [];
  for (let i = 0; i < dn.length; i += 1) {
    const c = dn[i]!;
    if (c === '\\' && i + 1 < dn.length) {
      current += c + dn[i + 1];
      i += 1;
    } else if (c === ',' || c === '+' || c === ';') {
      pieces.push(current);
      current = '';
    } else current += c;
  }
  pieces.push(current);
  for (const piece of pieces) {
    const eq = piece.indexOf('=');
    if (eq <= 0) return null;
    const type = piece.slice(0, eq).trim().toLowerCase();
    if (!/^[a-z][a-z0-9-]*$|^\d+(\.\d+)+$/.test(type)) return null;
    parts.push({ type, value: unescapeDnValue(piece.slice(eq + 1).trim()) });
  }
  return parts.length > 0 ? parts : null;
}

function unescapeDnValue(value: string): string {
  return value.replace(/\\([0-9a-fA-F]{2}|.)/g, (_m, e: string) =>
    e.length === 2 ? String.fromCharCode(Number.parseInt(e, 16)) : e,
  );
}

/** The address an LDAP DN or user name states (see the module comment), or null. */
export function ldapAddress(name: string): string | null {
  const direct = addressIn(name);
  if (direct !== null) return direct;
  const dn = parseDn(name);
  if (dn === null) return null;
  for (const p of dn) {
    if (p.type === 'mail' || p.type === 'email' || p.type === 'emailaddress' || p.type === 'e') {
      const a = addressIn(p.value);
      if (a !== null) return a;
    }
  }
  // userPrincipalName as the RDN (Active Directory: userPrincipalName=alice@example.com).
  for (const p of dn) if (p.type === 'userprincipalname') return addressIn(p.value);
  const uid = dn.find((p) => p.type === 'uid')?.value;
  const domain = dn.filter((p) => p.type === 'dc').map((p) => p.value.trim());
  if (uid === undefined || domain.length < 2 || domain.some((d) => d === '')) return null;
  return addressIn(`${uid}@${domain.join('.')}`);
}

/**
 * An OIDC user authenticating against `$external` is a Workload identity (an application's token),
 * not a Workforce person: the spec's `databaseName` reads "$external" for OIDC Workload and "admin" for
 * OIDC Workforce (docs/atlas-api-notes.md).
 */
export function isOidcWorkload(user: { authKind: string; databaseName?: string }): boolean {
  return user.authKind === 'oidc-user' && user.databaseName === '$external';
}

/** The directory identity of a database user, or null for SCRAM, X.509, AWS IAM and OIDC Workload users. */
export function databaseIdentity(user: {
  username: string;
  /** The snapshot's `DatabaseAuthKind` (src/snapshot/schema.ts); domain sits below snapshot. */
  authKind: string;
  /** `admin` or `$external`: tells an OIDC Workforce user from a Workload one. */
  databaseName?: string;
}): DatabaseIdentity | null {
  if (isOidcWorkload(user)) return null;
  switch (user.authKind) {
    case 'oidc-user':
    case 'oidc-group': {
      const slash = user.username.indexOf('/');
      const idpId = slash > 0 ? user.username.slice(0, slash) : null;
      const name = slash > 0 ? user.username.slice(slash + 1) : user.username;
      const isGroup = user.authKind === 'oidc-group';
      return { provider: 'oidc', isGroup, idpId, name, address: isGroup ? null : addressIn(name) };
    }
    case 'ldap-user':
    case 'ldap-group': {
      const isGroup = user.authKind === 'ldap-group';
      const name = user.username;
      return { provider: 'ldap', isGroup, idpId: null, name, address: isGroup ? null : ldapAddress(name) };
    }
    default:
      return null;
  }
}
