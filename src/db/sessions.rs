//! Sessions of the partner editor: a random secret in the browser's cookie (only its SHA-256
//! stored), acting for one API token, with its own CSRF secret.

use chrono::{DateTime, Utc};
use diesel::prelude::*;
use diesel_async::{AsyncPgConnection, RunQueryDsl};

use super::schema::{api_tokens, editor_sessions};
use super::tokens::TokenRow;

/// Stores a new session (and drops expired ones).
pub async fn create(
    conn: &mut AsyncPgConnection,
    secret_sha256: &str,
    token_id: i64,
    csrf: &str,
    expires_at: DateTime<Utc>,
) -> QueryResult<()> {
    diesel::delete(editor_sessions::table.filter(editor_sessions::expires_at.lt(Utc::now()))).execute(conn).await?;
    diesel::insert_into(editor_sessions::table)
        .values((
            editor_sessions::secret_sha256.eq(secret_sha256),
            editor_sessions::token_id.eq(token_id),
            editor_sessions::csrf.eq(csrf),
            editor_sessions::expires_at.eq(expires_at),
        ))
        .execute(conn)
        .await?;
    Ok(())
}

/// The unexpired session with this secret and its token, when the token is not revoked; with
/// the session's CSRF secret.
pub async fn find(conn: &mut AsyncPgConnection, secret_sha256: &str) -> QueryResult<Option<(TokenRow, String)>> {
    editor_sessions::table
        .inner_join(api_tokens::table)
        .filter(editor_sessions::secret_sha256.eq(secret_sha256))
        .filter(editor_sessions::expires_at.gt(Utc::now()))
        .filter(api_tokens::revoked_at.is_null())
        .select((TokenRow::as_select(), editor_sessions::csrf))
        .first(conn)
        .await
        .optional()
}

/// Ends a session (signing out).
pub async fn delete(conn: &mut AsyncPgConnection, secret_sha256: &str) -> QueryResult<()> {
    diesel::delete(editor_sessions::table.find(secret_sha256)).execute(conn).await?;
    Ok(())
}
