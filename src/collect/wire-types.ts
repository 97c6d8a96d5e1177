import type { z } from 'zod';
import type * as schemas from '../atlas/wire.js';

export type CloudAccessRoleAssignment = z.infer<typeof schemas.cloudAccessRoleAssignment>;
export type CloudAppUser = z.infer<typeof schemas.cloudAppUser>;
export type LegacyUser = z.infer<typeof schemas.legacyUser>;
export type LegacyGroup = z.infer<typeof schemas.legacyGroup>;
export type OrgUserResponse = z.infer<typeof schemas.orgUserResponse>;
export type Group = z.infer<typeof schemas.group>;
export type TeamRole = z.infer<typeof schemas.teamRole>;
export type ApiKeyUserDetails = z.infer<typeof schemas.apiKeyUserDetails>;
export type UserAccessListResponse = z.infer<typeof schemas.userAccessListResponse>;
export type OrgServiceAccount = z.infer<typeof schemas.orgServiceAccount>;
export type OrganizationSettings = z.infer<typeof schemas.organizationSettings>;
export type ServiceAccountAccessListEntry = z.infer<typeof schemas.serviceAccountAccessListEntry>;
export type ServiceAccountGroup = z.infer<typeof schemas.serviceAccountGroup>;
export type GroupServiceAccount = z.infer<typeof schemas.groupServiceAccount>;
export type GroupInvitation = z.infer<typeof schemas.groupInvitation>;
