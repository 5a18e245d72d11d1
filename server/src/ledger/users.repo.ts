/** Registered accounts in the ledger (`users`). Guests are never stored. */
import { AppError } from '@lc/contracts/errors';
import type { Role } from '@lc/contracts/ids';
import { type Queryable, sqlState } from './db';

export interface UserRecord {
  id: string;
  username: string | null;
  displayName: string;
  passwordHash: string | null;
  role: Role;
  /** ISO 8601. */
  createdAt: string;
}

export type NewUser = Omit<UserRecord, 'createdAt'>;

interface UserRow {
  id: string;
  username: string | null;
  display_name: string;
  password_hash: string | null;
  role: Role;
  created_at: Date;
}

const COLUMNS = 'id, username, display_name, password_hash, role, created_at';
const UNIQUE_VIOLATION = '23505';

const toUser = (r: UserRow): UserRecord => ({
  id: r.id,
  username: r.username,
  displayName: r.display_name,
  passwordHash: r.password_hash,
  role: r.role,
  createdAt: r.created_at.toISOString(),
});

export function createUsersRepo(db: Queryable) {
  return {
    /** @throws USERNAME_TAKEN when the username (or id) already exists */
    async insert(user: NewUser): Promise<UserRecord> {
      try {
        const { rows } = await db.query<UserRow>(
          `INSERT INTO users (id, username, display_name, password_hash, role)
           VALUES ($1, $2, $3, $4, $5) RETURNING ${COLUMNS}`,
          [user.id, user.username, user.displayName, user.passwordHash, user.role],
        );
        return toUser(rows[0]!);
      } catch (err) {
        if (sqlState(err) === UNIQUE_VIOLATION) throw new AppError('USERNAME_TAKEN', 'username is taken');
        throw err;
      }
    },
    async findByUsername(username: string): Promise<UserRecord | null> {
      const { rows } = await db.query<UserRow>(`SELECT ${COLUMNS} FROM users WHERE username = $1`, [
        username,
      ]);
      return rows[0] ? toUser(rows[0]) : null;
    },
    async findById(id: string): Promise<UserRecord | null> {
      const { rows } = await db.query<UserRow>(`SELECT ${COLUMNS} FROM users WHERE id = $1`, [id]);
      return rows[0] ? toUser(rows[0]) : null;
    },
  };
}
export type UsersRepo = ReturnType<typeof createUsersRepo>;
