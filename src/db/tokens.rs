//! Queries on API tokens.

use chrono::{DateTime, Utc};
use diesel::prelude::*;
use diesel_async::{AsyncPgConnection, RunQueryDsl};

use super::schema::api_tokens;

#[derive(Debug, Clone, Queryable, Selectable)]
#[diesel(table_name = api_tokens)]
pub struct TokenRow {
    pub id: i64,
    pub organization_id: String,
    pub name: String,
    pub token_sha256: String,
    pub token_prefix: String,
    pub is_admin: bool,
    pub created_at: DateTime<Utc>,
    pub last_used_at: Option<DateTime<Utc>>,
    pub revoked_at: Option<DateTime<Utc>>,
}

pub async fn find_active(conn: &mut AsyncPgConnection, sha256: &str) -> QueryResult<Option<TokenRow>> {
    let row = api_tokens::table
        .filter(api_tokens::token_sha256.eq(sha256))
        .filter(api_tokens::revoked_at.is_null())
        .select(TokenRow::as_select())
        .first(conn)
        .await
        .optional()?;
    if let Some(t) = &row {
        diesel::update(api_tokens::table.find(t.id)).set(api_tokens::last_used_at.eq(Utc::now())).execute(conn).await?;
    }
    Ok(row)
}

/// Stores a new token's hash; returns its row.
pub async fn create(
    conn: &mut AsyncPgConnection,
    organization_id: &str,
    name: &str,
    is_admin: bool,
    sha256: &str,
    prefix: &str,
) -> QueryResult<TokenRow> {
    diesel::insert_into(api_tokens::table)
        .values((
            api_tokens::organization_id.eq(organization_id),
            api_tokens::name.eq(name),
            api_tokens::is_admin.eq(is_admin),
            api_tokens::token_sha256.eq(sha256),
            api_tokens::token_prefix.eq(prefix),
        ))
        .returning(TokenRow::as_returning())
        .get_result(conn)
        .await
}

pub async fn list(conn: &mut AsyncPgConnection) -> QueryResult<Vec<TokenRow>> {
    api_tokens::table.select(TokenRow::as_select()).order(api_tokens::id).load(conn).await
}

/// Revokes a token; false when there is no such (unrevoked) token.
pub async fn revoke(conn: &mut AsyncPgConnection, id: i64) -> QueryResult<bool> {
    let n = diesel::update(api_tokens::table.find(id).filter(api_tokens::revoked_at.is_null()))
        .set(api_tokens::revoked_at.eq(Utc::now()))
        .execute(conn)
        .await?;
    Ok(n == 1)
}
