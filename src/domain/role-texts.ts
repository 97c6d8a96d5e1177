/**
 * What each role grants, in one plain sentence, for the review workbook's Roles sheet: a manager
 * deciding Keep or Revoke must know what `GROUP_DATA_ACCESS_ADMIN` lets a person do. The Atlas roles
 * follow the "Atlas User Roles" documentation page (https://www.mongodb.com/docs/atlas/reference/user-roles/),
 * the Cloud Manager ones its "Cloud Manager Roles" page, the database roles the MongoDB manual's
 * "Built-In Roles" page. Every role of the catalogue (src/domain/roles.ts, src/domain/database-roles.ts)
 * has a text here (test/domain/role-texts.test.ts checks it).
 */

/** What an Atlas organization or project role grants. */
const ATLAS_ROLE_TEXTS: Readonly<Record<string, string>> = {
  ORG_OWNER:
    'Root access to the organization: Project Owner on every project (database access included), its settings, its users, API keys and database users, and deleting it.',
  ORG_GROUP_CREATOR: 'Creates new projects in the organization, besides what Organization Member grants.',
  ORG_PROJECT_CREATOR:
    'Cloud Manager: creates new projects in the organization, besides what Organization Member grants.',
  ORG_BILLING_ADMIN:
    'Administers the organization’s billing (payment details, invoices, billing alerts), besides what Organization Member grants.',
  ORG_BILLING_READ_ONLY:
    'Views the organization’s billing information, besides what Organization Member grants.',
  ORG_STREAM_PROCESSING_ADMIN:
    'Project Stream Processing Owner on every project of the organization, and creates or deletes private endpoints and VPC peering connections; read-only elsewhere.',
  ORG_READ_ONLY: 'Reads the settings, users and projects of the whole organization; changes nothing.',
  ORG_MEMBER:
    'Reads the organization’s settings and users and sees only the projects they were added to, where their project role decides what they can do.',

  GROUP_OWNER:
    'Full control of the project: its clusters, settings, users and API keys, IP access list, database users and backups, and access to the data (Data Explorer).',
  GROUP_CLUSTER_MANAGER:
    'Creates, changes, pauses, scales and deletes the project’s clusters, besides read-only access to the project; no access to the data.',
  GROUP_REPLICA_SET_MANAGER:
    'Changes the configuration of existing clusters (tier, regions, replication), tests resilience, pauses and resumes them; read-only otherwise.',
  GROUP_CLUSTER_CREATOR: 'Creates new clusters in the project; read-only otherwise.',
  GROUP_CLUSTER_LOG_VIEWER: 'Downloads the project’s cluster and audit logs; read-only otherwise.',
  GROUP_CLUSTER_RESILIENCE_TESTER:
    'Starts primary failover and regional outage tests on the project’s clusters; read-only otherwise.',
  GROUP_STREAM_PROCESSING_OWNER:
    'Creates, changes and deletes the project’s stream processing workspaces, connections and processors, and their database users.',
  GROUP_DATA_ACCESS_ADMIN:
    'Reads and writes all the project’s data through Atlas (Data Explorer), creates and drops indexes and collections, and kills operations.',
  GROUP_DATA_ACCESS_READ_WRITE:
    'Reads and writes the project’s data through Atlas (Data Explorer) and manages indexes, but cannot drop databases or kill operations.',
  GROUP_DATA_ACCESS_READ_ONLY:
    'Reads the project’s data through Atlas (Data Explorer) and its cluster metrics; changes nothing.',
  GROUP_READ_ONLY:
    'Views the project’s settings, clusters, metrics and alerts; no access to the data, changes nothing.',
  GROUP_SEARCH_INDEX_EDITOR:
    'Creates, changes and deletes Atlas Search indexes on the project’s clusters; read-only otherwise.',
  GROUP_BACKUP_MANAGER:
    'Manages the project’s backups: snapshots, backup policies and restores (restoring overwrites data); read-only otherwise.',
  GROUP_BACKUP_CREATOR: 'Takes on-demand snapshots of the project’s clusters; read-only otherwise.',
  GROUP_BACKUP_RECOVERY_OPERATOR:
    'Restores the project’s clusters from backups, which overwrites their data; read-only otherwise.',
  GROUP_BACKUP_EXPORT_OPERATOR:
    'Exports the project’s backup snapshots (all their data) to a cloud storage bucket; read-only otherwise.',
  GROUP_OBSERVABILITY_VIEWER: 'Views the project’s metrics, logs and performance data; changes nothing.',
  GROUP_DATABASE_ACCESS_ADMIN:
    'Creates, changes and deletes the project’s database users and custom roles, and so decides who reaches the data; read-only otherwise.',
  GROUP_ACCESS_MANAGER:
    'Invites and removes the project’s Atlas users and manages its teams, API keys and service accounts, so can grant anyone (themself included) more access.',
  GROUP_NETWORK_ACCESS_MANAGER:
    'Changes the project’s IP access list, private endpoints and network peering, deciding where clusters can be reached from.',
  GROUP_TRIGGER_MANAGER: 'Creates, changes and deletes the project’s database triggers; read-only otherwise.',
  GROUP_INDEX_MANAGER: 'Creates, changes and deletes indexes on the project’s clusters; read-only otherwise.',
  GROUP_REAL_TIME_PERFORMANCE_OPERATOR:
    'Views the Real-Time Performance Panel and kills running operations; read-only otherwise.',
  GROUP_SUPPORT_ACCESS_MANAGER:
    'Grants and revokes MongoDB Support access to the project’s clusters; read-only otherwise.',
  GROUP_ALERTS_MANAGER:
    'Creates, changes, acknowledges and deletes the project’s alerts and alert settings; read-only otherwise.',
  GROUP_MODEL_OWNER: 'Manages the project’s AI model API keys and their settings; read-only otherwise.',
  GROUP_AUTOMATION_ADMIN:
    'Cloud Manager: manages deployments through Automation (processes, versions, configuration).',
  GROUP_BACKUP_ADMIN: 'Cloud Manager: manages backups and restores of the project’s deployments.',
  GROUP_MONITORING_ADMIN:
    'Cloud Manager: manages monitoring and alert settings of the project’s deployments.',
  GROUP_USER_ADMIN:
    'Cloud Manager: manages the project’s users and their roles, so can grant anyone more access.',
};

/** What a built-in database role grants, on the database it is granted on. */
const DATABASE_ROLE_TEXTS: Readonly<Record<string, string>> = {
  read: 'Reads every non-system collection of the database.',
  readWrite:
    'Reads and writes every non-system collection of the database, including creating and dropping collections and indexes.',
  dbAdmin:
    'Administers the database: indexes, statistics, validation and profiling, and dropping collections; does not read the data.',
  dbOwner:
    'Owns the database: readWrite, dbAdmin and userAdmin combined (on admin: user administration of the whole cluster).',
  userAdmin:
    'Creates and changes the database’s users and roles (on admin: can grant any role on any database, itself included).',
  clusterMonitor:
    'Reads the cluster’s monitoring data (server status, replication, sharding); no data, changes nothing.',
  enableSharding: 'Enables sharding on databases and shards collections.',
  directShardOperations:
    'Runs commands directly on individual shards of a sharded cluster, bypassing the router.',
  readAnyDatabase: 'Reads every database of the cluster.',
  readWriteAnyDatabase: 'Reads and writes every database of the cluster.',
  dbAdminAnyDatabase:
    'Administers every database of the cluster (indexes, statistics, dropping collections).',
  atlasAdmin:
    'Atlas’s administrator role: reads and writes every database and administers the cluster; the most privileged role a database user can hold.',
  clusterManager: 'Manages and monitors the cluster (replication, sharding, balancer).',
  backup: 'Reads every database for backing up the cluster.',
  restore: 'Writes any data when restoring a backup, including users and roles.',
  root: 'Every privilege on every database of the cluster.',
  userAdminAnyDatabase:
    'Creates and changes users and roles on every database, so can grant anyone any access.',
  clusterAdmin: 'Full administration of the cluster, including shutting it down.',
  hostManager: 'Monitors and manages the cluster’s servers (log rotation, repairs, shutting a server down).',
  killOpSession: 'Kills any operation or session on the cluster.',
};

/** Said of a role the catalogue has no text for (custom roles, roles Atlas added since). */
export const UNKNOWN_ROLE_TEXT = 'not in the built-in catalogue';

/** What an Atlas organization or project role grants; UNKNOWN_ROLE_TEXT for one the catalogue lacks. */
export function atlasRoleText(role: string): string {
  return Object.hasOwn(ATLAS_ROLE_TEXTS, role) ? ATLAS_ROLE_TEXTS[role]! : UNKNOWN_ROLE_TEXT;
}

/** What a built-in database role grants; UNKNOWN_ROLE_TEXT for a custom role or one the catalogue lacks. */
export function databaseRoleText(role: string): string {
  return Object.hasOwn(DATABASE_ROLE_TEXTS, role) ? DATABASE_ROLE_TEXTS[role]! : UNKNOWN_ROLE_TEXT;
}
