/** The words generated estates are made of: names, countries, org units, team areas, grants. */

// biome-ignore format: a word list reads better packed
export const FIRST_NAMES = [
  'Alice', 'Bruno', 'Chen', 'Dana', 'Elif', 'Farid', 'Grace', 'Hiro', 'Ines', 'Jonas', 'Kavya', 'Liam',
  'Maya', 'Nikolai', 'Olga', 'Priya', 'Quentin', 'Rosa', 'Sanjay', 'Tomas', 'Uma', 'Victor', 'Wen',
  'Ximena', 'Yusuf', 'Zoe', 'Amara', 'Ben', 'Carla', 'Dmitri', 'Emma', 'Felix', 'Gita', 'Hannah',
  'Ivan', 'Julia', 'Kenji', 'Lena', 'Mateo', 'Nora', 'Omar', 'Paula', 'Rafael', 'Sofia', 'Theo',
  'Valentina', 'William', 'Yara',
] as const;
// biome-ignore format: a word list reads better packed
export const LAST_NAMES = [
  'Adams', 'Bauer', 'Costa', 'Dubois', 'Evans', 'Fischer', 'Garcia', 'Hansen', 'Ito', 'Jensen',
  'Kowalski', 'Larsen', 'Moreau', 'Nakamura', 'Okafor', 'Patel', 'Quinn', 'Rossi', 'Schmidt', 'Tanaka',
  'Ueda', 'Varga', 'Weber', 'Xu', 'Yilmaz', 'Zhang', 'Alvarez', 'Brennan', 'Chopra', 'Diaz', 'Eriksen',
  'Ferreira', 'Gupta', 'Horvat', 'Ivanova', 'Kim', 'Lopez', 'Murphy', 'Novak', 'Olsen', 'Park', 'Reyes',
  'Silva', 'Torres', 'Walsh', 'Young',
] as const;
export const COUNTRIES = [
  'US',
  'US',
  'US',
  'GB',
  'DE',
  'FR',
  'IN',
  'CA',
  'IE',
  'NL',
  'ES',
  'BR',
  'JP',
  'AU',
] as const;
// biome-ignore format: a word list reads better packed
export const ORG_UNITS = [
  'Payments', 'Retail', 'Logistics', 'Analytics', 'Platform', 'Marketing', 'Research', 'Support',
  'Finance', 'Security', 'Mobile', 'Partners',
] as const;
// biome-ignore format: a word list reads better packed
export const TEAM_AREAS = [
  'platform', 'data-eng', 'payments', 'search', 'mobile', 'web', 'analytics', 'security', 'sre',
  'billing', 'ml', 'growth', 'identity', 'infra', 'qa', 'checkout', 'catalog', 'reporting',
] as const;
export const PROJECT_STAGES = ['prod', 'staging', 'dev', 'sandbox', 'perf'] as const;
// biome-ignore format: a word list reads better packed
export const KEY_PURPOSES = [
  'ci-deploy', 'terraform', 'backup-export', 'metrics-exporter', 'billing-sync', 'ops-scripts',
  'atlas-operator', 'audit-reader',
] as const;

/** Non-owner project grants a regular team may get (never GROUP_OWNER: owners come from admin teams). */
export const TEAM_GRANTS: readonly (readonly string[])[] = [
  ['GROUP_READ_ONLY'],
  ['GROUP_DATA_ACCESS_READ_WRITE'],
  ['GROUP_DATA_ACCESS_READ_ONLY'],
  ['GROUP_CLUSTER_MANAGER', 'GROUP_DATA_ACCESS_READ_ONLY'],
  ['GROUP_DATA_ACCESS_ADMIN'],
  ['GROUP_READ_ONLY', 'GROUP_SEARCH_INDEX_EDITOR'],
  ['GROUP_OBSERVABILITY_VIEWER'],
  ['GROUP_BACKUP_MANAGER', 'GROUP_READ_ONLY'],
];

/** Project grants a service account may hold (fine-grained roles included; never an owner role). */
export const SERVICE_ACCOUNT_GRANTS: readonly (readonly string[])[] = [
  ['GROUP_READ_ONLY'],
  ['GROUP_CLUSTER_MANAGER'],
  ['GROUP_BACKUP_MANAGER'],
  ['GROUP_DATA_ACCESS_READ_ONLY'],
  ['GROUP_OBSERVABILITY_VIEWER'],
  ['GROUP_CLUSTER_LOG_VIEWER', 'GROUP_READ_ONLY'],
  ['GROUP_REPLICA_SET_MANAGER'],
  ['GROUP_NETWORK_ACCESS_MANAGER'],
];
