/**
 * Entries of a project IP access list: the value that names an entry (and that its DELETE takes,
 * URL-encoded: `DELETE /groups/{groupId}/accessList/{entryValue}`), and the block an entry opens.
 */

/** The shape of an access list entry this module reads (the snapshot's `NetworkAccessEntry`). */
export interface NetworkAccessEntryShape {
  cidrBlock: string | null;
  ipAddress: string | null;
  awsSecurityGroup: string | null;
}

/** The entry's value: its CIDR block, else its address, else its AWS security group id. */
export function networkAccessEntryValue(e: NetworkAccessEntryShape): string {
  return e.cidrBlock ?? e.ipAddress ?? e.awsSecurityGroup ?? '';
}

/** The address block an entry opens; null for a security group or a value that does not parse. */
export interface AddressBlock {
  version: 4 | 6;
  prefixLength: number;
}

const IPV4 = /^(\d{1,3})\.(\d{1,3})\.(\d{1,3})\.(\d{1,3})$/;

/** Parses `a.b.c.d`, `a.b.c.d/n`, an IPv6 address or `x::y/n`; a bare address is a /32 or /128. */
export function addressBlock(value: string): AddressBlock | null {
  const [address = '', prefix, ...rest] = value.trim().split('/');
  if (rest.length > 0) return null;
  const v4 = IPV4.exec(address);
  let version: 4 | 6;
  if (v4) {
    if (v4.slice(1).some((o) => Number(o) > 255)) return null;
    version = 4;
  } else if (address.includes(':') && /^[0-9a-f:.]+$/i.test(address)) {
    version = 6;
  } else {
    return null;
  }
  const max = version === 4 ? 32 : 128;
  if (prefix === undefined) return { version, prefixLength: max };
  if (!/^\d{1,3}$/.test(prefix) || Number(prefix) > max) return null;
  return { version, prefixLength: Number(prefix) };
}

/** The entry's block: the CIDR block, else the single address; null for a security group. */
export function entryBlock(e: NetworkAccessEntryShape): AddressBlock | null {
  if (e.cidrBlock !== null) return addressBlock(e.cidrBlock);
  if (e.ipAddress !== null) return addressBlock(e.ipAddress);
  return null;
}
