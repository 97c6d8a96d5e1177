/** Every role of the catalogue has a plain-words text for the workbook's Roles sheet; others say they are unknown. */
import { describe, expect, it } from 'vitest';
import { BUILT_IN_DATABASE_ROLES } from '../../src/domain/database-roles.js';
import { atlasRoleText, databaseRoleText, UNKNOWN_ROLE_TEXT } from '../../src/domain/role-texts.js';
import { knownRoleSet } from '../../src/domain/roles.js';

describe('role texts', () => {
  it.each([...knownRoleSet()])('Atlas role %s has a text', (role) => {
    const text = atlasRoleText(role);
    expect(text).not.toBe(UNKNOWN_ROLE_TEXT);
    expect(text).toMatch(/^[A-Z].*\.$/);
  });

  it.each([...BUILT_IN_DATABASE_ROLES])('database role %s has a text', (role) => {
    const text = databaseRoleText(role);
    expect(text).not.toBe(UNKNOWN_ROLE_TEXT);
    expect(text).toMatch(/^[A-Z].*\.$/);
  });

  it('says a role outside the catalogue is unknown, never guesses', () => {
    expect(atlasRoleText('GROUP_SOMETHING_NEW')).toBe('not in the built-in catalogue');
    expect(databaseRoleText('ops-superuser')).toBe('not in the built-in catalogue');
    // An Atlas role is not a database role, nor the other way round; nor an inherited property name.
    expect(databaseRoleText('ORG_OWNER')).toBe(UNKNOWN_ROLE_TEXT);
    expect(atlasRoleText('read')).toBe(UNKNOWN_ROLE_TEXT);
    expect(atlasRoleText('toString')).toBe(UNKNOWN_ROLE_TEXT);
  });
});
