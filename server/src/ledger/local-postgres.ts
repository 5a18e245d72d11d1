/**
 * A private PostgreSQL server for tools (the chaos scenarios of the load kit): initdb + pg_ctl in a directory
 * the caller owns, loopback only, one database. As root every command runs as the `postgres` user (Postgres
 * refuses root). Stopped with `pg_ctl stop -m fast`; a crashed caller leaves nothing running (exit hook).
 */
import { spawn, spawnSync } from 'node:child_process';
import { chownSync, existsSync, mkdirSync, readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { freePort } from '../redis/free-port';

export interface LocalPostgres {
  /** `postgresql://postgres@127.0.0.1:<port>/ledger` */
  url: string;
  /** The postmaster's pid (from postmaster.pid). */
  pid(): number;
  /** Crash and come back: `pg_ctl stop -m immediate` (no checkpoint: crash recovery at start), then start again
   * on the same port after `downMs`. */
  restart(downMs?: number): Promise<void>;
  stop(): Promise<void>;
}

/** Directory of initdb/pg_ctl: PG_BIN, else the newest /usr/lib/postgresql/<v>/bin. */
export function findPgBin(): string {
  const fromEnv = process.env.PG_BIN;
  if (fromEnv && existsSync(join(fromEnv, 'pg_ctl'))) return fromEnv;
  const base = '/usr/lib/postgresql';
  const versions = existsSync(base)
    ? readdirSync(base)
        .filter((v) => existsSync(join(base, v, 'bin', 'pg_ctl')))
        .sort((a, b) => Number(b) - Number(a))
    : [];
  if (versions[0]) return join(base, versions[0], 'bin');
  throw new Error(
    'PostgreSQL server binaries (initdb, pg_ctl) not found under /usr/lib/postgresql/*/bin: ' +
      'apt-get install postgresql, or set PG_BIN (tests: or TEST_DATABASE_URL)',
  );
}

/** NOTE: resolves on 'exit', not 'close': the daemonized postmaster keeps inherited pipes open. */
export function run(cmd: string, args: string[]): Promise<void> {
  return new Promise((resolve, reject) => {
    const child = spawn(cmd, args, { stdio: ['ignore', 'pipe', 'pipe'] });
    let output = '';
    const add = (d: Buffer) => {
      output = (output + d.toString()).slice(-4000);
    };
    child.stdout.on('data', add);
    child.stderr.on('data', add);
    child.on('error', reject);
    child.on('exit', (code) =>
      code === 0 ? resolve() : reject(new Error(`${cmd} ${args.join(' ')} exited with ${code}:\n${output}`)),
    );
  });
}

/** The command line of a PostgreSQL binary; as root it runs as the `postgres` user (Postgres refuses root). */
export function pgArgv(bin: string): (cmd: string, args: string[]) => [string, string[]] {
  const asRoot = process.getuid?.() === 0;
  return (cmd, args) =>
    asRoot ? ['runuser', ['-u', 'postgres', '--', join(bin, cmd), ...args]] : [join(bin, cmd), args];
}

export async function startLocalPostgres(opts: { dir: string }): Promise<LocalPostgres> {
  const bin = findPgBin();
  const dataDir = join(opts.dir, 'pgdata');
  mkdirSync(opts.dir, { recursive: true });
  const asRoot = process.getuid?.() === 0;
  if (asRoot) {
    const uid = Number(spawnSync('id', ['-u', 'postgres'], { encoding: 'utf8' }).stdout.trim());
    const gid = Number(spawnSync('id', ['-g', 'postgres'], { encoding: 'utf8' }).stdout.trim());
    chownSync(opts.dir, uid, gid);
  }
  const argv = pgArgv(bin);
  const pg = (cmd: string, args: string[]) => run(...argv(cmd, args));
  await pg('initdb', [
    '-D',
    dataDir,
    '-A',
    'trust',
    '-U',
    'postgres',
    '-E',
    'UTF8',
    '--locale=C',
    '--no-sync',
  ]);
  const port = await freePort();
  const o = `-k ${opts.dir} -c listen_addresses=127.0.0.1 -p ${port} -c max_connections=200`;
  const log = join(opts.dir, 'postgres.log');
  const start = () => pg('pg_ctl', ['-D', dataDir, '-l', log, '-w', '-t', '60', '-o', o, 'start']);
  await start();
  let running = true;
  const stopSync = () => {
    if (running) spawnSync(...argv('pg_ctl', ['-D', dataDir, '-m', 'immediate', '-w', 'stop']));
    running = false;
  };
  process.once('exit', stopSync);
  await pg('createdb', ['-h', '127.0.0.1', '-p', String(port), '-U', 'postgres', 'ledger']);
  return {
    url: `postgresql://postgres@127.0.0.1:${port}/ledger`,
    pid: () => Number(readFileSync(join(dataDir, 'postmaster.pid'), 'utf8').split('\n')[0]),
    async restart(downMs = 0) {
      await pg('pg_ctl', ['-D', dataDir, '-m', 'immediate', '-w', 'stop']);
      await new Promise((r) => setTimeout(r, downMs));
      await start();
    },
    async stop() {
      if (running) await pg('pg_ctl', ['-D', dataDir, '-m', 'fast', '-w', 'stop']);
      running = false;
      process.removeListener('exit', stopSync);
    },
  };
}
