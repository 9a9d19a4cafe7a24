//! The SQLite store: one file, WAL, one writer connection and a few readers.
//!
//! Writes are serialised through the writer (SQLite allows one writer at a time anyway, and
//! `BEGIN IMMEDIATE` makes the read-modify-write of a checkout atomic); reads use their own
//! connections so status polls do not queue behind writes.

use std::path::Path;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Mutex, MutexGuard};

use anyhow::Context;
use protocol::{Amount, CheckoutStatus, Exception};
use rusqlite::{params, Connection, OptionalExtension, Row, TransactionBehavior};

mod outbox;

use super::{
    InboundEvent, ListQuery, Modify, Mutation, SandboxInvoice, SandboxLedger, SandboxNotification,
    SandboxTx, Store, WidgetRecord,
};
use crate::domain::checkout::CheckoutRecord;
use crate::domain::payment::Payment;
use crate::domain::state_machine::CheckoutState;
use crate::error::{AppError, AppResult};

/// Versioned migrations, applied in order at start-up; `PRAGMA user_version` records progress.
const MIGRATIONS: &[(u32, &str)] = &[
    (1, include_str!("migrations/0001_init.sql")),
    (2, include_str!("migrations/0002_merchant_outbox.sql")),
];

const READERS: usize = 4;

pub struct SqliteStore {
    writer: Mutex<Connection>,
    readers: Vec<Mutex<Connection>>,
    next_reader: AtomicUsize,
}

fn lock(m: &Mutex<Connection>) -> MutexGuard<'_, Connection> {
    // A panic while holding the lock leaves the connection usable: SQLite rolled back.
    m.lock().unwrap_or_else(|poisoned| poisoned.into_inner())
}

fn open(path: &Path) -> anyhow::Result<Connection> {
    let conn = Connection::open(path).with_context(|| format!("opening {}", path.display()))?;
    conn.busy_timeout(std::time::Duration::from_secs(5))?;
    // FULL: an acknowledged webhook must survive a power cut, not only a crash.
    conn.execute_batch(
        "PRAGMA journal_mode = WAL; PRAGMA synchronous = FULL; PRAGMA foreign_keys = ON;",
    )
    .context("configuring SQLite")?;
    Ok(conn)
}

fn migrate(conn: &mut Connection) -> anyhow::Result<()> {
    let current: u32 = conn.query_row("PRAGMA user_version", [], |r| r.get(0))?;
    for (version, sql) in MIGRATIONS.iter().filter(|(v, _)| *v > current) {
        let tx = conn.transaction()?;
        tx.execute_batch(sql)
            .with_context(|| format!("applying migration {version}"))?;
        tx.pragma_update(None, "user_version", version)?;
        tx.commit()?;
        tracing::info!(version, "applied database migration");
    }
    Ok(())
}

impl SqliteStore {
    /// Opens (creating if needed) `<data_dir>/checkout.db` and brings its schema up to date.
    pub fn open(path: &Path) -> anyhow::Result<SqliteStore> {
        if let Some(dir) = path.parent() {
            std::fs::create_dir_all(dir)
                .with_context(|| format!("creating the data directory {}", dir.display()))?;
        }
        let mut writer = open(path)?;
        migrate(&mut writer)?;
        let readers = (0..READERS)
            .map(|_| open(path).map(Mutex::new))
            .collect::<anyhow::Result<_>>()?;
        Ok(SqliteStore {
            writer: Mutex::new(writer),
            readers,
            next_reader: AtomicUsize::new(0),
        })
    }

    fn reader(&self) -> MutexGuard<'_, Connection> {
        let start = self.next_reader.fetch_add(1, Ordering::Relaxed);
        for i in 0..READERS {
            if let Ok(conn) = self.readers[(start + i) % READERS].try_lock() {
                return conn;
            }
        }
        lock(&self.readers[start % READERS])
    }

    fn writer(&self) -> MutexGuard<'_, Connection> {
        lock(&self.writer)
    }
}

fn json_err(e: serde_json::Error) -> rusqlite::Error {
    rusqlite::Error::ToSqlConversionFailure(Box::new(e))
}

fn from_json<T: serde::de::DeserializeOwned>(idx: usize, text: &str) -> rusqlite::Result<T> {
    serde_json::from_str(text).map_err(|e| {
        rusqlite::Error::FromSqlConversionFailure(idx, rusqlite::types::Type::Text, Box::new(e))
    })
}

fn bad_value(idx: usize, what: &str) -> rusqlite::Error {
    rusqlite::Error::FromSqlConversionFailure(
        idx,
        rusqlite::types::Type::Text,
        format!("unexpected stored {what}").into(),
    )
}

const CHECKOUT_COLUMNS: &str = "id, client_order_id, external_id, widget_key, spec, status, \
     exception, active_payment_id, funds_seen, version, expires_at, created_at, updated_at";

/// A checkout row without its payments.
fn checkout_row(row: &Row<'_>) -> rusqlite::Result<CheckoutRecord> {
    let spec: String = row.get(4)?;
    let status: String = row.get(5)?;
    let exception: Option<String> = row.get(6)?;
    let version: i64 = row.get(9)?;
    Ok(CheckoutRecord {
        id: row.get(0)?,
        client_order_id: row.get(1)?,
        external_id: row.get(2)?,
        widget_key: row.get(3)?,
        spec: from_json(4, &spec)?,
        state: CheckoutState {
            status: CheckoutStatus::parse(&status).ok_or_else(|| bad_value(5, "status"))?,
            exception: match exception {
                Some(e) => Some(Exception::parse(&e).ok_or_else(|| bad_value(6, "exception"))?),
                None => None,
            },
            active_payment: row.get(7)?,
            expires_at_ms: row.get(10)?,
            funds_seen: row.get(8)?,
        },
        version: version as u64,
        created_at_ms: row.get(11)?,
        updated_at_ms: row.get(12)?,
        payments: Vec::new(),
        changes: Vec::new(),
    })
}

fn load_payments(conn: &Connection, record: &mut CheckoutRecord) -> rusqlite::Result<()> {
    let mut stmt = conn.prepare_cached(
        "SELECT data FROM payments WHERE checkout_id = ?1 ORDER BY created_at, rowid",
    )?;
    let rows = stmt.query_map([&record.id], |r| r.get::<_, String>(0))?;
    for data in rows {
        record.payments.push(from_json(0, &data?)?);
    }
    Ok(())
}

fn load_checkout(conn: &Connection, id: &str) -> rusqlite::Result<Option<CheckoutRecord>> {
    let sql = format!("SELECT {CHECKOUT_COLUMNS} FROM checkouts WHERE id = ?1");
    let record = conn
        .prepare_cached(&sql)?
        .query_row([id], checkout_row)
        .optional()?;
    match record {
        Some(mut r) => {
            load_payments(conn, &mut r)?;
            Ok(Some(r))
        }
        None => Ok(None),
    }
}

fn load_many(
    conn: &Connection,
    sql: &str,
    params: &[&dyn rusqlite::ToSql],
) -> rusqlite::Result<Vec<CheckoutRecord>> {
    let mut stmt = conn.prepare_cached(sql)?;
    let mut records = stmt
        .query_map(params, checkout_row)?
        .collect::<rusqlite::Result<Vec<_>>>()?;
    for r in &mut records {
        load_payments(conn, r)?;
    }
    Ok(records)
}

fn write_checkout(conn: &Connection, r: &CheckoutRecord, insert: bool) -> rusqlite::Result<()> {
    let spec = serde_json::to_string(&r.spec).map_err(json_err)?;
    let sql = if insert {
        "INSERT INTO checkouts (id, client_order_id, external_id, widget_key, spec, status, \
         exception, active_payment_id, funds_seen, version, expires_at, created_at, updated_at) \
         VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12, ?13)"
    } else {
        "UPDATE checkouts SET client_order_id = ?2, external_id = ?3, widget_key = ?4, spec = ?5, \
         status = ?6, exception = ?7, active_payment_id = ?8, funds_seen = ?9, version = ?10, \
         expires_at = ?11, created_at = ?12, updated_at = ?13 WHERE id = ?1"
    };
    conn.prepare_cached(sql)?.execute(params![
        r.id,
        r.client_order_id,
        r.external_id,
        r.widget_key,
        spec,
        r.state.status.as_str(),
        r.state.exception.map(|e| e.as_str()),
        r.state.active_payment,
        r.state.funds_seen,
        r.version as i64,
        r.state.expires_at_ms,
        r.created_at_ms,
        r.updated_at_ms,
    ])?;
    Ok(())
}

fn write_payment(conn: &Connection, p: &Payment) -> rusqlite::Result<()> {
    let data = serde_json::to_string(p).map_err(json_err)?;
    conn.prepare_cached(
        "INSERT INTO payments (id, checkout_id, provider, provider_ref, created_at, data) \
         VALUES (?1, ?2, ?3, ?4, ?5, ?6) ON CONFLICT (id) DO UPDATE SET data = excluded.data",
    )?
    .execute(params![
        p.id,
        p.checkout_id,
        p.provider,
        p.provider_ref,
        p.created_at_ms,
        data
    ])?;
    Ok(())
}

fn write_changes(conn: &Connection, r: &CheckoutRecord) -> rusqlite::Result<()> {
    let mut stmt = conn.prepare_cached(
        "INSERT INTO checkout_events (checkout_id, version, from_status, to_status, exception, \
         payment_id, created_at) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7)",
    )?;
    for c in &r.changes {
        stmt.execute(params![
            r.id,
            c.version as i64,
            c.from.as_str(),
            c.to.as_str(),
            c.exception.map(|e| e.as_str()),
            c.payment_id,
            c.at_ms,
        ])?;
    }
    // The merchant's notifications, in this same transaction.
    outbox::queue_changes(conn, r)
}

fn insert_inbound(conn: &Connection, e: &InboundEvent) -> rusqlite::Result<bool> {
    let n = conn
        .prepare_cached(
            "INSERT OR IGNORE INTO inbound_events (provider, event_id, payment_ref, body, received_at) \
             VALUES (?1, ?2, ?3, ?4, ?5)",
        )?
        .execute(params![e.provider, e.event_id, e.payment_ref, e.body, e.received_at_ms])?;
    Ok(n == 1)
}

fn widget_row(row: &Row<'_>) -> rusqlite::Result<WidgetRecord> {
    let spec: String = row.get(2)?;
    Ok(WidgetRecord {
        key: row.get(0)?,
        external_id: row.get(1)?,
        spec: from_json(2, &spec)?,
        created_at_ms: row.get(3)?,
    })
}

impl Store for SqliteStore {
    fn ping(&self) -> AppResult<()> {
        self.reader().query_row("SELECT 1", [], |_| Ok(()))?;
        Ok(())
    }

    fn insert_checkout(&self, checkout: &CheckoutRecord) -> AppResult<(CheckoutRecord, bool)> {
        let mut conn = self.writer();
        let tx = conn.transaction_with_behavior(TransactionBehavior::Immediate)?;
        if let Some(key) = &checkout.client_order_id {
            let existing: Option<String> = tx
                .query_row(
                    "SELECT id FROM checkouts WHERE client_order_id = ?1",
                    [key],
                    |r| r.get(0),
                )
                .optional()?;
            if let Some(id) = existing {
                let record = load_checkout(&tx, &id)?
                    .ok_or_else(|| AppError::internal(anyhow::anyhow!("checkout vanished")))?;
                return Ok((record, false));
            }
        }
        write_checkout(&tx, checkout, true)?;
        for p in &checkout.payments {
            write_payment(&tx, p)?;
        }
        write_changes(&tx, checkout)?;
        tx.commit()?;
        let mut stored = checkout.clone();
        stored.changes.clear();
        Ok((stored, true))
    }

    fn checkout(&self, id: &str) -> AppResult<Option<CheckoutRecord>> {
        Ok(load_checkout(&self.reader(), id)?)
    }

    fn list_checkouts(&self, q: &ListQuery) -> AppResult<Vec<CheckoutRecord>> {
        let (before_ms, before_id) = q.before.clone().unwrap_or((i64::MAX, String::new()));
        let status = q.status.map(|s| s.as_str());
        let sql = format!(
            "SELECT {CHECKOUT_COLUMNS} FROM checkouts \
             WHERE (?1 IS NULL OR status = ?1) \
               AND (created_at < ?2 OR (created_at = ?2 AND (?3 = '' OR id < ?3))) \
             ORDER BY created_at DESC, id DESC LIMIT ?4"
        );
        Ok(load_many(
            &self.reader(),
            &sql,
            &[&status, &before_ms, &before_id, &i64::from(q.limit)],
        )?)
    }

    fn widget_checkouts(&self, key: &str) -> AppResult<Vec<CheckoutRecord>> {
        let sql = format!(
            "SELECT {CHECKOUT_COLUMNS} FROM checkouts WHERE widget_key = ?1 ORDER BY created_at, id"
        );
        Ok(load_many(&self.reader(), &sql, &[&key])?)
    }

    fn expiry_candidates(&self, now_ms: i64, limit: u32) -> AppResult<Vec<String>> {
        let conn = self.reader();
        let mut stmt = conn.prepare_cached(
            "SELECT id FROM checkouts WHERE status IN ('NEW', 'WAITING_PAYMENT') \
             AND funds_seen = 0 AND expires_at <= ?1 ORDER BY expires_at LIMIT ?2",
        )?;
        let ids = stmt
            .query_map(params![now_ms, limit], |r| r.get(0))?
            .collect::<rusqlite::Result<Vec<String>>>()?;
        Ok(ids)
    }

    fn modify_checkout(
        &self,
        id: &str,
        inbound: Option<&InboundEvent>,
        mutation: Mutation<'_>,
    ) -> AppResult<Modify> {
        let mut conn = self.writer();
        let tx = conn.transaction_with_behavior(TransactionBehavior::Immediate)?;
        if let Some(event) = inbound {
            if !insert_inbound(&tx, event)? {
                return Ok(Modify::DuplicateEvent);
            }
        }
        let Some(mut record) = load_checkout(&tx, id)? else {
            return Ok(Modify::NotFound);
        };
        let before = record.clone();
        mutation(&mut record)?;
        let changed = record != before;
        if changed {
            write_checkout(&tx, &record, false)?;
            for p in &record.payments {
                if before.payment(&p.id) != Some(p) {
                    write_payment(&tx, p)?;
                }
            }
            write_changes(&tx, &record)?;
        }
        tx.commit()?;
        record.changes.clear();
        Ok(Modify::Applied {
            record: Box::new(record),
            changed,
        })
    }

    fn record_inbound_event(&self, event: &InboundEvent) -> AppResult<bool> {
        Ok(insert_inbound(&self.writer(), event)?)
    }

    fn inbound_event_seen(&self, provider: &str, event_id: &str) -> AppResult<bool> {
        let found = self
            .reader()
            .prepare_cached("SELECT 1 FROM inbound_events WHERE provider = ?1 AND event_id = ?2")?
            .exists([provider, event_id])?;
        Ok(found)
    }

    fn payment_by_ref(
        &self,
        provider: &str,
        provider_ref: &str,
    ) -> AppResult<Option<(String, String)>> {
        Ok(self
            .reader()
            .prepare_cached(
                "SELECT checkout_id, id FROM payments WHERE provider = ?1 AND provider_ref = ?2",
            )?
            .query_row([provider, provider_ref], |r| Ok((r.get(0)?, r.get(1)?)))
            .optional()?)
    }

    fn checkout_of_payment(&self, payment_id: &str) -> AppResult<Option<String>> {
        Ok(self
            .reader()
            .prepare_cached("SELECT checkout_id FROM payments WHERE id = ?1")?
            .query_row([payment_id], |r| r.get(0))
            .optional()?)
    }

    fn insert_widget(&self, widget: &WidgetRecord) -> AppResult<(WidgetRecord, bool)> {
        let spec = serde_json::to_string(&widget.spec).map_err(|e| AppError::internal(e.into()))?;
        let conn = self.writer();
        let inserted = conn
            .prepare_cached(
                "INSERT OR IGNORE INTO widgets (key, external_id, spec, created_at) VALUES (?1, ?2, ?3, ?4)",
            )?
            .execute(params![widget.key, widget.external_id, spec, widget.created_at_ms])?
            == 1;
        let stored = conn
            .prepare_cached(
                "SELECT key, external_id, spec, created_at FROM widgets WHERE key = ?1",
            )?
            .query_row([&widget.key], widget_row)?;
        Ok((stored, inserted))
    }

    fn widget(&self, key: &str) -> AppResult<Option<WidgetRecord>> {
        Ok(self
            .reader()
            .prepare_cached(
                "SELECT key, external_id, spec, created_at FROM widgets WHERE key = ?1",
            )?
            .query_row([key], widget_row)
            .optional()?)
    }

    fn sandbox(&self) -> &dyn SandboxLedger {
        self
    }

    fn outbox(&self) -> &dyn super::outbox::OutboxStore {
        self
    }
}

fn parse_units(idx: usize, text: &str) -> rusqlite::Result<u128> {
    text.parse().map_err(|_| bad_value(idx, "amount"))
}

fn queue_notification(conn: &Connection, invoice_ref: &str, now_ms: i64) -> rusqlite::Result<()> {
    conn.prepare_cached(
        "INSERT INTO sandbox_notifications (event_id, invoice_ref, created_at) VALUES (?1, ?2, ?3)",
    )?
    .execute(params![
        format!("sbx_evt_{}", uuid::Uuid::new_v4().simple()),
        invoice_ref,
        now_ms
    ])?;
    Ok(())
}

impl SandboxLedger for SqliteStore {
    fn create_invoice(&self, i: &SandboxInvoice) -> AppResult<()> {
        self.writer()
            .prepare_cached(
                "INSERT INTO sandbox_invoices (ref, currency, network, address, amount, \
                 confirmations_required, created_at) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7)",
            )?
            .execute(params![
                i.reference,
                i.currency,
                i.network,
                i.address,
                i.amount.to_string(),
                i.confirmations_required,
                i.created_at_ms
            ])?;
        Ok(())
    }

    fn invoice(&self, reference: &str) -> AppResult<Option<(SandboxInvoice, Vec<SandboxTx>)>> {
        let conn = self.reader();
        let invoice = conn
            .prepare_cached(
                "SELECT ref, currency, network, address, amount, confirmations_required, created_at \
                 FROM sandbox_invoices WHERE ref = ?1",
            )?
            .query_row([reference], |r| {
                let amount: String = r.get(4)?;
                Ok(SandboxInvoice {
                    reference: r.get(0)?,
                    currency: r.get(1)?,
                    network: r.get(2)?,
                    address: r.get(3)?,
                    amount: Amount::parse(&amount).map_err(|_| bad_value(4, "amount"))?,
                    confirmations_required: r.get(5)?,
                    created_at_ms: r.get(6)?,
                })
            })
            .optional()?;
        let Some(invoice) = invoice else {
            return Ok(None);
        };
        let mut stmt = conn.prepare_cached(
            "SELECT txid, amount_units, confirmations, required, seen_at FROM sandbox_txs \
             WHERE invoice_ref = ?1 ORDER BY seen_at, rowid",
        )?;
        let txs = stmt
            .query_map([reference], |r| {
                let units: String = r.get(1)?;
                Ok(SandboxTx {
                    txid: r.get(0)?,
                    amount_units: parse_units(1, &units)?,
                    confirmations: r.get(2)?,
                    required: r.get(3)?,
                    seen_at_ms: r.get(4)?,
                })
            })?
            .collect::<rusqlite::Result<Vec<_>>>()?;
        Ok(Some((invoice, txs)))
    }

    fn add_tx(&self, reference: &str, amount_units: u128, now_ms: i64) -> AppResult<SandboxTx> {
        let mut conn = self.writer();
        let tx = conn.transaction_with_behavior(TransactionBehavior::Immediate)?;
        let required: u32 = tx.query_row(
            "SELECT confirmations_required FROM sandbox_invoices WHERE ref = ?1",
            [reference],
            |r| r.get(0),
        )?;
        let sandbox_tx = SandboxTx {
            txid: format!("sbx_tx_{}", uuid::Uuid::new_v4().simple()),
            amount_units,
            confirmations: 0,
            required,
            seen_at_ms: now_ms,
        };
        tx.execute(
            "INSERT INTO sandbox_txs (txid, invoice_ref, amount_units, confirmations, required, seen_at) \
             VALUES (?1, ?2, ?3, 0, ?4, ?5)",
            params![sandbox_tx.txid, reference, amount_units.to_string(), required, now_ms],
        )?;
        queue_notification(&tx, reference, now_ms)?;
        tx.commit()?;
        Ok(sandbox_tx)
    }

    fn mine_block(&self, now_ms: i64) -> AppResult<usize> {
        let mut conn = self.writer();
        let tx = conn.transaction_with_behavior(TransactionBehavior::Immediate)?;
        let refs = {
            let mut stmt = tx.prepare_cached(
                "SELECT DISTINCT invoice_ref FROM sandbox_txs WHERE confirmations < required",
            )?;
            let refs = stmt
                .query_map([], |r| r.get::<_, String>(0))?
                .collect::<rusqlite::Result<Vec<_>>>()?;
            refs
        };
        if refs.is_empty() {
            return Ok(0);
        }
        tx.execute(
            "UPDATE sandbox_txs SET confirmations = confirmations + 1 WHERE confirmations < required",
            [],
        )?;
        for r in &refs {
            queue_notification(&tx, r, now_ms)?;
        }
        tx.commit()?;
        Ok(refs.len())
    }

    fn undelivered(&self, limit: u32) -> AppResult<Vec<SandboxNotification>> {
        let conn = self.reader();
        let mut stmt = conn.prepare_cached(
            "SELECT event_id, invoice_ref, created_at FROM sandbox_notifications \
             WHERE delivered_at IS NULL ORDER BY created_at, rowid LIMIT ?1",
        )?;
        let rows = stmt
            .query_map([limit], |r| {
                Ok(SandboxNotification {
                    event_id: r.get(0)?,
                    invoice_ref: r.get(1)?,
                    created_at_ms: r.get(2)?,
                })
            })?
            .collect::<rusqlite::Result<Vec<_>>>()?;
        Ok(rows)
    }

    fn mark_delivered(&self, event_id: &str, now_ms: i64) -> AppResult<()> {
        self.writer()
            .prepare_cached(
                "UPDATE sandbox_notifications SET delivered_at = ?2, attempts = attempts + 1 \
                 WHERE event_id = ?1",
            )?
            .execute(params![event_id, now_ms])?;
        Ok(())
    }

    fn note_attempt(&self, event_id: &str) -> AppResult<()> {
        self.writer()
            .prepare_cached(
                "UPDATE sandbox_notifications SET attempts = attempts + 1 WHERE event_id = ?1",
            )?
            .execute([event_id])?;
        Ok(())
    }
}
