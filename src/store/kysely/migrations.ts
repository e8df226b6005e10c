/**
 * Schema migrations of every backend, defined once in code (so the build output needs no `.sql` files) and
 * instantiated per database with its column types: the schemas stay in step by construction, and a test
 * compares the results.
 */
import { Migrator, sql, type ColumnDataType, type Expression, type Kysely, type Migration, type MigrationProvider } from 'kysely';

/** What the migrations need to know about a database: its spelling of column types, and which one it is. */
export interface MigrationDialect {
  /** Text compared and sorted as plain code points (SQLite's default; PostgreSQL needs `collate "C"`). */
  text: ColumnDataType | Expression<unknown>;
  /** For the few steps that concern one database only; every migration still runs (and is recorded) on both. */
  database: 'sqlite' | 'postgres';
}

/** Applied in name order; never edit one that has shipped, add the next instead. */
export function createMigrations({ text, database }: MigrationDialect): Record<string, Migration> {
  return {
    '0001_initial': {
      async up(db: Kysely<unknown>): Promise<void> {
        await db.schema
          .createTable('accounts')
          .addColumn('id', text, (c) => c.primaryKey())
          .addColumn('name', text, (c) => c.notNull())
          .addColumn('token_prefix', text, (c) => c.notNull())
          .addColumn('policy', text, (c) => c.notNull())
          .addColumn('created_at', text, (c) => c.notNull())
          .execute();

        await db.schema
          .createTable('tokens')
          .addColumn('account_id', text, (c) => c.notNull().references('accounts.id'))
          .addColumn('id', text, (c) => c.notNull())
          .addColumn('kind', text, (c) => c.notNull())
          .addColumn('name', text, (c) => c.notNull())
          .addColumn('name_lower', text, (c) => c.notNull())
          .addColumn('description', text)
          .addColumn('profile_id', text)
          .addColumn('scopes', text, (c) => c.notNull())
          .addColumn('deny', text, (c) => c.notNull())
          .addColumn('templates', text, (c) => c.notNull())
          .addColumn('hint', text, (c) => c.notNull())
          .addColumn('created_at', text, (c) => c.notNull())
          .addColumn('updated_at', text, (c) => c.notNull())
          .addColumn('valid_from', text)
          .addColumn('expires_at', text)
          .addColumn('allowed_ips', text, (c) => c.notNull())
          .addColumn('enabled', 'integer', (c) => c.notNull())
          .addColumn('revoked_at', text)
          .addColumn('last_used_at', text)
          .addColumn('use_count', 'bigint', (c) => c.notNull().defaultTo(0))
          .addColumn('created_by', text)
          .addColumn('parent_id', text)
          .addColumn('metadata', text, (c) => c.notNull())
          .addColumn('version', 'integer', (c) => c.notNull())
          .addPrimaryKeyConstraint('tokens_pk', ['account_id', 'id'])
          .execute();
        // The list order (newest first, then id) is read straight off this index, cursor included.
        await db.schema
          .createIndex('tokens_list_idx')
          .on('tokens')
          .columns(['account_id', 'created_at desc', 'id desc'])
          .execute();
        await db.schema.createIndex('tokens_parent_idx').on('tokens').columns(['account_id', 'parent_id']).execute();

        await db.schema
          .createTable('token_secrets')
          .addColumn('hash', text, (c) => c.primaryKey())
          .addColumn('account_id', text, (c) => c.notNull())
          .addColumn('token_id', text, (c) => c.notNull())
          .addColumn('created_at', text, (c) => c.notNull())
          .addColumn('expires_at', text)
          .addForeignKeyConstraint('token_secrets_token_fk', ['account_id', 'token_id'], 'tokens', ['account_id', 'id'], (fk) =>
            fk.onDelete('cascade'),
          )
          .execute();
        await db.schema
          .createIndex('token_secrets_token_idx')
          .on('token_secrets')
          .columns(['account_id', 'token_id'])
          .execute();
        await db.schema.createIndex('token_secrets_expires_idx').on('token_secrets').column('expires_at').execute();

        // No foreign keys on the audit tables: the log outlives the tokens it describes.
        await db.schema
          .createTable('audit_events')
          .addColumn('account_id', text, (c) => c.notNull())
          .addColumn('seq', 'integer', (c) => c.notNull())
          .addColumn('id', text, (c) => c.notNull().unique())
          .addColumn('actor', text)
          .addColumn('action', text, (c) => c.notNull())
          .addColumn('target_type', text, (c) => c.notNull())
          .addColumn('target_id', text, (c) => c.notNull())
          .addColumn('before', text)
          .addColumn('after', text)
          .addColumn('at', text, (c) => c.notNull())
          .addColumn('prev_hash', text, (c) => c.notNull())
          .addColumn('hash', text, (c) => c.notNull())
          .addPrimaryKeyConstraint('audit_events_pk', ['account_id', 'seq'])
          .execute();
        await db.schema
          .createIndex('audit_events_target_idx')
          .on('audit_events')
          .columns(['account_id', 'target_id', 'seq'])
          .execute();
        await db.schema
          .createIndex('audit_events_actor_idx')
          .on('audit_events')
          .columns(['account_id', 'actor', 'seq'])
          .execute();

        await db.schema
          .createTable('audit_heads')
          .addColumn('account_id', text, (c) => c.primaryKey())
          .addColumn('seq', 'integer', (c) => c.notNull())
          .addColumn('hash', text, (c) => c.notNull())
          .execute();

        await db.schema
          .createTable('usage_events')
          .addColumn('id', text, (c) => c.primaryKey())
          .addColumn('account_id', text, (c) => c.notNull())
          .addColumn('token_id', text)
          .addColumn('at', text, (c) => c.notNull())
          .addColumn('kind', text, (c) => c.notNull())
          .addColumn('subject', text)
          .addColumn('outcome', text, (c) => c.notNull())
          .addColumn('client_ip', text)
          .addColumn('count', 'integer', (c) => c.notNull().defaultTo(1))
          .execute();
        await db.schema
          .createIndex('usage_events_token_idx')
          .on('usage_events')
          .columns(['account_id', 'token_id', 'at'])
          .execute();
        await db.schema.createIndex('usage_events_at_idx').on('usage_events').column('at').execute();
      },
    },
    '0002_catalog_versions': {
      async up(db: Kysely<unknown>): Promise<void> {
        await db.schema
          .createTable('catalog_versions')
          .addColumn('account_id', text, (c) => c.notNull())
          .addColumn('version', 'integer', (c) => c.notNull())
          .addColumn('name', text, (c) => c.notNull())
          .addColumn('format', text, (c) => c.notNull())
          .addColumn('source', text, (c) => c.notNull())
          .addColumn('created_at', text, (c) => c.notNull())
          .addColumn('created_by', text)
          .addPrimaryKeyConstraint('catalog_versions_pk', ['account_id', 'version'])
          .execute();
      },
    },
    '0003_signing_keys': {
      async up(db: Kysely<unknown>): Promise<void> {
        // Keys that sign issued JWTs. `kid` is globally unique (random), so a verifier finds the key, and through it
        // the account, from the JWT header alone. Private keys are JWK text: see docs/decisions.md.
        await db.schema
          .createTable('signing_keys')
          .addColumn('kid', text, (c) => c.primaryKey())
          .addColumn('account_id', text, (c) => c.notNull())
          .addColumn('alg', text, (c) => c.notNull())
          .addColumn('public_jwk', text, (c) => c.notNull())
          .addColumn('private_jwk', text, (c) => c.notNull())
          .addColumn('created_at', text, (c) => c.notNull())
          .addColumn('retired_at', text)
          .addColumn('not_after', text)
          .execute();
        await db.schema.createIndex('signing_keys_account_idx').on('signing_keys').columns(['account_id', 'created_at']).execute();
      },
    },
    '0004_usage': {
      async up(db: Kysely<unknown>): Promise<void> {
        // Counts per token, minute, outcome and endpoint, added to by every instance's usage batch
        // (insert … on conflict do update). '' stands for "no endpoint" (a scope check): key columns cannot be NULL.
        await db.schema
          .createTable('usage_minutes')
          .addColumn('account_id', text, (c) => c.notNull())
          .addColumn('token_id', text, (c) => c.notNull())
          .addColumn('minute', text, (c) => c.notNull())
          .addColumn('outcome', text, (c) => c.notNull())
          .addColumn('endpoint', text, (c) => c.notNull())
          .addColumn('count', 'bigint', (c) => c.notNull())
          .addPrimaryKeyConstraint('usage_minutes_pk', ['account_id', 'token_id', 'minute', 'outcome', 'endpoint'])
          .execute();
        // Account-wide reads ("every token, last hour") scan by time rather than by token.
        await db.schema.createIndex('usage_minutes_minute_idx').on('usage_minutes').columns(['account_id', 'minute']).execute();
      },
    },
    '0005_endpoint_tokens': {
      async up(db: Kysely<unknown>): Promise<void> {
        // Integration platform: per account and integration endpoint, the auth mode, "allow deleting" and the current primary
        // token of each method (JSON object method → token id; the tokens themselves live in `tokens`).
        await db.schema
          .createTable('endpoint_settings')
          .addColumn('account_id', text, (c) => c.notNull())
          .addColumn('endpoint_id', text, (c) => c.notNull())
          .addColumn('mode', text, (c) => c.notNull())
          .addColumn('allow_delete', 'integer', (c) => c.notNull())
          .addColumn('primaries', text, (c) => c.notNull())
          .addColumn('updated_at', text, (c) => c.notNull())
          .addPrimaryKeyConstraint('endpoint_settings_pk', ['account_id', 'endpoint_id'])
          .execute();
        // Secondary token ↔ primary (endpoint, method). Deleting the token removes its assignments.
        await db.schema
          .createTable('endpoint_assignments')
          .addColumn('account_id', text, (c) => c.notNull())
          .addColumn('token_id', text, (c) => c.notNull())
          .addColumn('endpoint_id', text, (c) => c.notNull())
          .addColumn('method', text, (c) => c.notNull())
          .addPrimaryKeyConstraint('endpoint_assignments_pk', ['account_id', 'token_id', 'endpoint_id', 'method'])
          .addForeignKeyConstraint('endpoint_assignments_token_fk', ['account_id', 'token_id'], 'tokens', ['account_id', 'id'], (fk) =>
            fk.onDelete('cascade'),
          )
          .execute();
        // "Hide unassigned" and per-primary listings read by endpoint.
        await db.schema
          .createIndex('endpoint_assignments_endpoint_idx')
          .on('endpoint_assignments')
          .columns(['account_id', 'endpoint_id', 'method'])
          .execute();
      },
    },
    '0006_fk_checks_on_tokens_pk': {
      async up(db: Kysely<unknown>): Promise<void> {
        // PostgreSQL checks a foreign key into `tokens` (a new secret, an endpoint assignment) with
        // `select … where account_id = $1 and id = $2`, planned once per connection and kept. Until `tokens` is
        // analysed, `account_id = $1` is guessed to match 0.5% of a table guessed small, so every index starting with
        // account_id promises one row: a new database checked each secret against tokens_parent_idx (cheapest, its
        // NULL parents deduplicated) and read the whole account per insert, quadratic until autovacuum's ANALYZE.
        // See docs/decisions.md. SQLite finds a parent row through the key's own index, without planning.
        //
        // 1. Only tokens with a parent are looked up by parent: the partial index cannot serve the check at all.
        await db.schema.dropIndex('tokens_parent_idx').execute();
        await db.schema
          .createIndex('tokens_parent_idx')
          .on('tokens')
          .columns(['account_id', 'parent_id'])
          .where(sql.ref('parent_id'), 'is not', null)
          .execute();
        if (database !== 'postgres') return;
        // 2. tokens_list_idx still ties with the key (never cheaper: its entries are larger). The planner keeps the
        // first of equal paths and tries the newest index first, so the key is re-created to be the newest.
        // An index added to tokens later that starts with account_id must come with this again (a test fails).
        await db.schema.createIndex('tokens_pk_next').unique().on('tokens').columns(['account_id', 'id']).execute();
        await db.schema.alterTable('token_secrets').dropConstraint('token_secrets_token_fk').execute();
        await db.schema.alterTable('endpoint_assignments').dropConstraint('endpoint_assignments_token_fk').execute();
        await db.schema.alterTable('tokens').dropConstraint('tokens_pk').execute();
        await sql`alter table tokens add constraint tokens_pk primary key using index tokens_pk_next`.execute(db);
        await db.schema
          .alterTable('token_secrets')
          .addForeignKeyConstraint('token_secrets_token_fk', ['account_id', 'token_id'], 'tokens', ['account_id', 'id'], (fk) =>
            fk.onDelete('cascade'),
          )
          .execute();
        await db.schema
          .alterTable('endpoint_assignments')
          .addForeignKeyConstraint('endpoint_assignments_token_fk', ['account_id', 'token_id'], 'tokens', ['account_id', 'id'], (fk) =>
            fk.onDelete('cascade'),
          )
          .execute();
      },
    },
    '0007_token_chains': {
      async up(db: Kysely<unknown>): Promise<void> {
        // Every token record gets a random instance (docs/security.md): issued JWTs carry it, so a token deleted and
        // re-created under the same id never revives them. Existing rows get theirs here.
        await db.schema.alterTable('tokens').addColumn('instance', text, (c) => c.notNull().defaultTo('')).execute();
        const random = database === 'postgres' ? sql`md5(random()::text || clock_timestamp()::text || id)` : sql`lower(hex(randomblob(16)))`;
        await sql`update tokens set instance = ${random}`.execute(db);
        // Endpoint tokens now belong to the token that made them (revoking it revokes them): link existing ones.
        await sql`update tokens set parent_id = created_by
          where kind <> 'standard' and parent_id is null and created_by is not null
          and exists (select 1 from tokens creator where creator.account_id = tokens.account_id and creator.id = tokens.created_by)`.execute(db);
        // A token whose parent was deleted before deletion revoked descendants would be judged by whatever token
        // is later created under that id: it is revoked now, as deleting its parent does from now on.
        const now = new Date().toISOString();
        await sql`update tokens set revoked_at = ${now}, version = version + 1
          where revoked_at is null and parent_id is not null
          and not exists (select 1 from tokens parent where parent.account_id = tokens.account_id and parent.id = tokens.parent_id)`.execute(db);
      },
    },
    '0008_identities_limits': {
      async up(db: Kysely<unknown>): Promise<void> {
        // Issue 19: identities own tokens; limits live on both. No index on tokens.identity_id: only deleting an
        // identity looks tokens up by it (rare), and an index on tokens starting with account_id would need
        // 0006's re-creation of the key on PostgreSQL again.
        await db.schema
          .createTable('identities')
          .addColumn('account_id', text, (c) => c.notNull().references('accounts.id'))
          .addColumn('id', text, (c) => c.notNull())
          .addColumn('external_id', text, (c) => c.notNull())
          .addColumn('name', text)
          .addColumn('metadata', text, (c) => c.notNull())
          .addColumn('limits', text, (c) => c.notNull())
          .addColumn('created_at', text, (c) => c.notNull())
          .addColumn('updated_at', text, (c) => c.notNull())
          .addColumn('version', 'integer', (c) => c.notNull())
          .addPrimaryKeyConstraint('identities_pk', ['account_id', 'id'])
          .addUniqueConstraint('identities_external_id_unique', ['account_id', 'external_id'])
          .execute();
        await db.schema.createIndex('identities_list_idx').on('identities').columns(['account_id', 'created_at', 'id']).execute();
        await db.schema.alterTable('tokens').addColumn('identity_id', text).execute();
        await db.schema.alterTable('tokens').addColumn('limits', text, (c) => c.notNull().defaultTo('[]')).execute();
      },
    },
    '0009_webhooks_events': {
      async up(db: Kysely<unknown>): Promise<void> {
        // Issue 20: webhook endpoints, the outbox of lifecycle events (written in the transaction of the change
        // they tell), one delivery row per event and endpoint, and the marks that make a scheduled event fire once.
        // `lease_owner`/`lease_until` on an endpoint: the one instance delivering to it, until then (docs/webhooks.md).
        await db.schema
          .createTable('webhook_endpoints')
          .addColumn('id', text, (c) => c.primaryKey())
          .addColumn('account_id', text, (c) => c.notNull().references('accounts.id'))
          .addColumn('url', text, (c) => c.notNull())
          .addColumn('description', text)
          .addColumn('event_types', text, (c) => c.notNull())
          .addColumn('enabled', 'integer', (c) => c.notNull())
          .addColumn('secrets', text, (c) => c.notNull())
          .addColumn('created_at', text, (c) => c.notNull())
          .addColumn('updated_at', text, (c) => c.notNull())
          .addColumn('lease_owner', text)
          .addColumn('lease_until', text)
          .execute();
        await db.schema.createIndex('webhook_endpoints_list_idx').on('webhook_endpoints').columns(['account_id', 'created_at', 'id']).execute();
        await db.schema
          .createTable('webhook_events')
          .addColumn('account_id', text, (c) => c.notNull())
          .addColumn('seq', 'integer', (c) => c.notNull())
          .addColumn('id', text, (c) => c.notNull().unique())
          .addColumn('type', text, (c) => c.notNull())
          .addColumn('payload', text, (c) => c.notNull())
          .addColumn('created_at', text, (c) => c.notNull())
          .addPrimaryKeyConstraint('webhook_events_pk', ['account_id', 'seq'])
          .execute();
        await db.schema
          .createTable('webhook_deliveries')
          .addColumn('endpoint_id', text, (c) => c.notNull())
          .addColumn('seq', 'integer', (c) => c.notNull())
          .addColumn('account_id', text, (c) => c.notNull())
          .addColumn('event_id', text, (c) => c.notNull())
          .addColumn('event_type', text, (c) => c.notNull())
          .addColumn('status', text, (c) => c.notNull())
          .addColumn('attempts', 'integer', (c) => c.notNull())
          .addColumn('last_status_code', 'integer')
          .addColumn('last_error', text)
          .addColumn('last_attempt_at', text)
          .addColumn('next_attempt_at', text)
          .addColumn('retry_from', text, (c) => c.notNull())
          .addColumn('created_at', text, (c) => c.notNull())
          .addPrimaryKeyConstraint('webhook_deliveries_pk', ['endpoint_id', 'seq'])
          .execute();
        // The sender's question: which endpoints have a pending delivery (and its head, in order).
        await db.schema.createIndex('webhook_deliveries_pending_idx').on('webhook_deliveries').columns(['status', 'endpoint_id', 'seq']).execute();
        await db.schema
          .createTable('webhook_marks')
          .addColumn('account_id', text, (c) => c.notNull())
          .addColumn('token_id', text, (c) => c.notNull())
          .addColumn('kind', text, (c) => c.notNull())
          .addColumn('mark', text, (c) => c.notNull())
          .addPrimaryKeyConstraint('webhook_marks_pk', ['account_id', 'token_id', 'kind', 'mark'])
          .execute();
      },
    },
    '0010_credits': {
      async up(db: Kysely<unknown>): Promise<void> {
        // Issue 19: credits on tokens and identities, beside the record (a check reads them with it) but written by
        // their own statements (set, add, the background flush of deltas), never by a record's update.
        for (const table of ['tokens', 'identities']) {
          await db.schema.alterTable(table).addColumn('credits', text).execute();
          await db.schema.alterTable(table).addColumn('credits_remaining', 'bigint').execute();
          await db.schema.alterTable(table).addColumn('credits_refilled_at', 'bigint').execute();
        }
        // Instances sharing the database, seen at each credits flush: each spends only its share between syncs.
        await db.schema
          .createTable('instances')
          .addColumn('id', text, (c) => c.primaryKey())
          .addColumn('seen_at', 'bigint', (c) => c.notNull())
          .execute();
      },
    },
    '0011_rate_limit_windows': {
      async up(db: Kysely<unknown>): Promise<void> {
        // Issue 19: rate-limit windows outlive a restart and are shared by instances. Each instance adds what it
        // counted at its background flush (never on the check path) and reads back the sum.
        await db.schema
          .createTable('rate_limit_windows')
          .addColumn('account_id', text, (c) => c.notNull())
          .addColumn('holder', text, (c) => c.notNull())
          .addColumn('holder_id', text, (c) => c.notNull())
          .addColumn('name', text, (c) => c.notNull())
          .addColumn('duration_ms', 'bigint', (c) => c.notNull())
          .addColumn('window_start', 'bigint', (c) => c.notNull())
          .addColumn('count', 'bigint', (c) => c.notNull())
          .addColumn('expires_at', 'bigint', (c) => c.notNull())
          .addPrimaryKeyConstraint('rate_limit_windows_pk', ['account_id', 'holder', 'holder_id', 'name', 'duration_ms', 'window_start'])
          .execute();
        // The sweep of ended windows.
        await db.schema.createIndex('rate_limit_windows_expires_idx').on('rate_limit_windows').column('expires_at').execute();
      },
    },
    '0012_usage_refused_by': {
      async up(db: Kysely<unknown>): Promise<void> {
        // Issue 19: refusals by limit. A check refused by a rate limit or by credits names what refused it
        // (`token:<name>`, `identity:<name>`, `credits`; '' for every other check: key columns cannot be NULL), on
        // its raw event and in the minute roll-ups, whose key gains the column: the table is rebuilt (SQLite cannot
        // change a primary key), its rows copied with ''.
        await db.schema.alterTable('usage_events').addColumn('refused_by', text, (c) => c.notNull().defaultTo('')).execute();
        await db.schema
          .createTable('usage_minutes_next')
          .addColumn('account_id', text, (c) => c.notNull())
          .addColumn('token_id', text, (c) => c.notNull())
          .addColumn('minute', text, (c) => c.notNull())
          .addColumn('outcome', text, (c) => c.notNull())
          .addColumn('endpoint', text, (c) => c.notNull())
          .addColumn('refused_by', text, (c) => c.notNull())
          .addColumn('count', 'bigint', (c) => c.notNull())
          .addPrimaryKeyConstraint('usage_minutes_key', ['account_id', 'token_id', 'minute', 'outcome', 'endpoint', 'refused_by'])
          .execute();
        await sql`insert into usage_minutes_next (account_id, token_id, minute, outcome, endpoint, refused_by, count)
          select account_id, token_id, minute, outcome, endpoint, '', count from usage_minutes`.execute(db);
        await db.schema.dropTable('usage_minutes').execute();
        await db.schema.alterTable('usage_minutes_next').renameTo('usage_minutes').execute();
        await db.schema.createIndex('usage_minutes_by_minute_idx').on('usage_minutes').columns(['account_id', 'minute']).execute();
      },
    },
  };
}

/** Applies every pending migration; a no-op when the schema is current. */
export async function migrateToLatest(db: Kysely<unknown>, migrations: Record<string, Migration>): Promise<void> {
  const provider: MigrationProvider = { getMigrations: () => Promise.resolve(migrations) };
  const { error, results } = await new Migrator({ db, provider }).migrateToLatest();
  if (error !== undefined) {
    const failed = results?.find((r) => r.status === 'Error')?.migrationName;
    throw new Error(`database migration failed${failed === undefined ? '' : `: ${failed}`}`, { cause: error });
  }
}

