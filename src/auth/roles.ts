export const ROLES = ['viewer', 'editor', 'operator'] as const;
export type Role = (typeof ROLES)[number];

/** Someone acting on the desk: a user of the web app or API, or the CLI run by whoever holds Redis access. */
export interface Actor {
  name: string;
  role: Role;
}

/**
 * What each role may do. Viewers read; editors review (claim, edit, decide); operators also force locks and
 * manage users and sources. One table, checked by the service layer, so the web app, the API and the CLI
 * cannot disagree.
 */
export const PERMISSIONS = {
  read: ['viewer', 'editor', 'operator'],
  review: ['editor', 'operator'],
  forceLock: ['operator'],
  manageUsers: ['operator'],
  manageSources: ['operator'],
} as const satisfies Record<string, readonly Role[]>;
export type Permission = keyof typeof PERMISSIONS;

export function can(actor: Actor, permission: Permission): boolean {
  return (PERMISSIONS[permission] as readonly Role[]).includes(actor.role);
}

const DOING: Record<Permission, string> = {
  read: 'read the desk',
  review: 'review drafts (claim, edit, approve, reject, merge, reopen)',
  forceLock: "force another editor's claim",
  manageUsers: 'manage users',
  manageSources: 'manage sources',
};

/** "role viewer cannot review drafts …: needs editor or operator" */
export function describeMissing(actor: Actor, permission: Permission): string {
  return `${actor.name} (role ${actor.role}) cannot ${DOING[permission]}: needs role ${PERMISSIONS[permission].join(' or ')}`;
}
