//! A database of the journey's own on the PostgreSQL server `cargo xtask test` starts and names
//! in `E2E_POSTGRES` (`postgres://user@host:port/database`, without options), for the journeys
//! that run several server instances on one database. Created empty (the servers migrate it)
//! and removed by [`Database::remove`] when the journey ends; one a failed journey leaves
//! behind goes with the throw-away server.

use tokio_postgres::{Client, NoTls};

/// The variable holding the PostgreSQL server's URL.
pub const SERVER_VAR: &str = "E2E_POSTGRES";

pub struct Database {
    /// A connection to the server's own database, to create and remove this one.
    admin: Client,
    name: String,
    /// The database's URL, for the servers' `CHECKOUT_DATABASE_URL`.
    pub url: String,
}

impl Database {
    /// A fresh database named after this process and a free port (unique on the server).
    pub async fn create() -> Database {
        let server = match std::env::var(SERVER_VAR) {
            Ok(url) if !url.is_empty() => url,
            _ => panic!(
                "{SERVER_VAR} is not set: the journeys with several server instances need a \
                 PostgreSQL server's URL (postgres://user@host:port/database); `cargo xtask \
                 test` starts one"
            ),
        };
        let (admin, connection) = tokio_postgres::connect(&server, NoTls)
            .await
            .unwrap_or_else(|e| panic!("connecting to {SERVER_VAR} ({server}): {e}"));
        tokio::spawn(connection);
        let name = format!("e2e_{}_{}", std::process::id(), crate::free_port());
        let create = format!("CREATE DATABASE {name}");
        if let Err(e) = admin.batch_execute(&create).await {
            panic!("{create} on {SERVER_VAR}: {e}");
        }
        Database {
            url: on_database(&server, &name),
            admin,
            name,
        }
    }

    /// Removes the database, closing whatever is still connected to it.
    pub async fn remove(self) {
        let sql = format!("DROP DATABASE IF EXISTS {} WITH (FORCE)", self.name);
        if let Err(e) = self.admin.batch_execute(&sql).await {
            eprintln!("{sql}: {e}");
        }
    }
}

/// `server` (a URL ending in a database name, without options) naming database `name` instead.
fn on_database(server: &str, name: &str) -> String {
    let base = server.rsplit_once('/').map_or(server, |(base, _)| base);
    format!("{base}/{name}")
}

#[cfg(test)]
mod tests {
    #[test]
    fn the_server_url_names_the_journey_s_database() {
        assert_eq!(
            super::on_database("postgres://postgres@127.0.0.1:5432/postgres", "e2e_1_2"),
            "postgres://postgres@127.0.0.1:5432/e2e_1_2"
        );
    }
}
