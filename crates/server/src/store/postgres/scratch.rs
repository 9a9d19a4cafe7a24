//! Throw-away databases on a PostgreSQL server, for the tests (the store's own and the API
//! suite): each test creates a database of its own with a random name, so tests run in
//! parallel on one server, and drops it when it ends.
//!
//! `cargo xtask test` starts the server and names it in [`SERVER_VAR`]. Without the variable a
//! test that needs PostgreSQL fails and says so: it must not pass without having run.

use tokio_postgres::NoTls;

/// The variable holding the test server's URL, e.g. `postgres://postgres@127.0.0.1:5432/postgres`.
pub const SERVER_VAR: &str = "CHECKOUT_TEST_POSTGRES";

/// The test server's URL; panics with what to do when there is none.
pub fn server_url() -> String {
    match std::env::var(SERVER_VAR) {
        Ok(url) if !url.is_empty() => url,
        _ => panic!(
            "this test needs PostgreSQL: run `cargo xtask test` (it starts one), or set \
             {SERVER_VAR} to a server's URL, e.g. postgres://postgres@127.0.0.1:5432/postgres"
        ),
    }
}

/// `url` with its database name replaced by `name` (and its options kept).
pub fn with_database(url: &str, name: &str) -> String {
    let (base, query) = url.split_once('?').map_or((url, ""), |(b, q)| (b, q));
    let authority_at = base.find("://").map_or(0, |i| i + 3);
    let authority_end = base[authority_at..]
        .find('/')
        .map_or(base.len(), |i| authority_at + i);
    let query = if query.is_empty() {
        String::new()
    } else {
        format!("?{query}")
    };
    format!("{}/{name}{query}", &base[..authority_end])
}

/// A database of its own on the test server, dropped (with whatever is still connected to it)
/// when this goes.
pub struct ScratchDatabase {
    server: String,
    name: String,
    /// The database's URL, for `database_url`.
    pub url: String,
}

impl ScratchDatabase {
    /// Creates an empty database on the server at [`SERVER_VAR`].
    pub async fn create() -> ScratchDatabase {
        let server = server_url();
        let name = format!("test_{}", uuid::Uuid::new_v4().simple());
        execute(&server, &format!("CREATE DATABASE {name}")).await;
        ScratchDatabase {
            url: with_database(&server, &name),
            server,
            name,
        }
    }
}

impl Drop for ScratchDatabase {
    fn drop(&mut self) {
        let server = self.server.clone();
        let sql = format!("DROP DATABASE IF EXISTS {} WITH (FORCE)", self.name);
        // A thread and a runtime of its own: this may run inside an async test's runtime,
        // which cannot be blocked on from within.
        let dropped = std::thread::spawn(move || {
            tokio::runtime::Builder::new_current_thread()
                .enable_all()
                .build()
                .expect("a runtime to drop the test database")
                .block_on(execute(&server, &sql));
        });
        let _ = dropped.join();
    }
}

async fn execute(server: &str, sql: &str) {
    let (client, connection) = tokio_postgres::connect(server, NoTls)
        .await
        .unwrap_or_else(|e| panic!("connecting to the test PostgreSQL server ({SERVER_VAR}): {e}"));
    let connection = tokio::spawn(connection);
    client
        .batch_execute(sql)
        .await
        .unwrap_or_else(|e| panic!("{sql}: {e}"));
    drop(client);
    let _ = connection.await;
}

#[cfg(test)]
mod tests {
    use super::with_database;

    #[test]
    fn a_server_url_names_another_database_and_keeps_its_options() {
        assert_eq!(
            with_database("postgres://u:p@127.0.0.1:5432/postgres", "t1"),
            "postgres://u:p@127.0.0.1:5432/t1"
        );
        assert_eq!(
            with_database("postgresql://u@h:1?connect_timeout=5", "t2"),
            "postgresql://u@h:1/t2?connect_timeout=5"
        );
    }
}
