//! Tenants.

use fml_domain::{OrgId, Timestamp};

use crate::{Db, StoreError, execute, fetch_optional};

#[derive(Debug, Clone, sqlx::FromRow)]
pub struct OrgRow {
    pub id: String,
    pub name: String,
    pub created_at: i64,
}

/// Creates a tenant; `Conflict` if the id is taken.
pub async fn create(db: &Db, id: &OrgId, name: &str, now: Timestamp) -> Result<(), StoreError> {
    let mut tx = db.begin().await?;
    let res = execute!(
        tx.conn(),
        "INSERT INTO orgs (id, name, created_at) VALUES ($1, $2, $3)",
        id.as_str(),
        name,
        now.millis()
    );
    match res {
        Ok(_) => tx.commit().await,
        Err(e) => {
            let e = StoreError::from(e);
            if e.is_unique_violation() {
                Err(StoreError::Conflict("an org with this id already exists"))
            } else {
                Err(e)
            }
        }
    }
}

/// Creates a tenant in the caller's transaction; false if the id is taken (nothing written).
pub async fn create_in(conn: crate::db::Conn<'_>, id: &OrgId, name: &str, now: Timestamp) -> Result<bool, StoreError> {
    let made = crate::fetch_optional!(
        conn,
        (String,),
        "INSERT INTO orgs (id, name, created_at) VALUES ($1, $2, $3) ON CONFLICT (id) DO NOTHING RETURNING id",
        id.as_str(),
        name,
        now.millis()
    )?;
    Ok(made.is_some())
}

pub async fn get(db: &Db, id: &OrgId) -> Result<Option<OrgRow>, StoreError> {
    let mut c = db.reader().await?;
    Ok(fetch_optional!(c.conn(), OrgRow, "SELECT id, name, created_at FROM orgs WHERE id = $1", id.as_str())?)
}

/// Whether `id` names a tenant, inside a transaction.
pub async fn get_in(conn: crate::db::Conn<'_>, id: &OrgId) -> Result<Option<OrgRow>, StoreError> {
    Ok(fetch_optional!(conn, OrgRow, "SELECT id, name, created_at FROM orgs WHERE id = $1", id.as_str())?)
}
