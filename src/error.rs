//! The one error type of the HTTP edge: every failure becomes an RFC 9457 problem+json answer.
//! Client mistakes name the parameter or field at fault; nothing here ever answers 5xx for bad input.

use actix_web::http::{header, StatusCode};
use actix_web::{HttpResponse, ResponseError};
use serde::Serialize;
use utoipa::ToSchema;

/// One field or parameter that failed validation.
#[derive(Debug, Clone, PartialEq, Serialize, ToSchema)]
pub struct FieldError {
    /// The query parameter, path segment or body field at fault.
    #[schema(example = "lat")]
    pub field: String,
    #[schema(example = "must be a number between -90 and 90")]
    pub message: String,
}

/// An RFC 9457 problem document.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct Problem {
    #[serde(rename = "type")]
    #[schema(example = "about:blank")]
    pub problem_type: String,
    #[schema(example = "Invalid parameter")]
    pub title: String,
    #[schema(example = 400)]
    pub status: u16,
    #[schema(example = "lat: must be a number between -90 and 90")]
    pub detail: String,
    /// The parameter at fault, when there is exactly one.
    #[serde(skip_serializing_if = "Option::is_none")]
    #[schema(example = "lat")]
    pub parameter: Option<String>,
    /// Every failing field, for validation errors.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub errors: Vec<FieldError>,
}

#[derive(Debug, Clone, thiserror::Error)]
#[error("{status}: {detail}")]
pub struct ApiError {
    pub status: StatusCode,
    pub title: &'static str,
    pub detail: String,
    pub parameter: Option<String>,
    pub errors: Vec<FieldError>,
    pub retry_after: Option<u64>,
    /// The database could not store the change (read-only, out of disk space): a fault of
    /// the storage, not of the request; `/readyz` reports it until a write succeeds again.
    pub storage_fault: bool,
}

pub type ApiResult<T> = Result<T, ApiError>;

impl ApiError {
    pub(crate) fn new(status: StatusCode, title: &'static str, detail: impl Into<String>) -> Self {
        ApiError {
            status,
            title,
            detail: detail.into(),
            parameter: None,
            errors: Vec::new(),
            retry_after: None,
            storage_fault: false,
        }
    }

    /// A query or path parameter that is malformed, out of range or unknown.
    pub fn invalid_param(name: &str, message: impl Into<String>) -> Self {
        let message = message.into();
        let mut e = Self::new(StatusCode::BAD_REQUEST, "Invalid parameter", format!("{name}: {message}"));
        e.parameter = Some(name.to_owned());
        e.errors.push(FieldError { field: name.to_owned(), message });
        e
    }

    pub fn not_found(what: &str, id: &str) -> Self {
        Self::new(StatusCode::NOT_FOUND, "Not found", format!("no {what} with id {id:?}"))
    }

    pub fn unauthorized(detail: impl Into<String>) -> Self {
        Self::new(StatusCode::UNAUTHORIZED, "Unauthorized", detail)
    }

    pub fn forbidden(detail: impl Into<String>) -> Self {
        Self::new(StatusCode::FORBIDDEN, "Forbidden", detail)
    }

    pub fn conflict(detail: impl Into<String>) -> Self {
        Self::new(StatusCode::CONFLICT, "Conflict", detail)
    }

    pub fn precondition_required() -> Self {
        let mut e = Self::new(
            StatusCode::PRECONDITION_REQUIRED,
            "Precondition required",
            "send If-Match with the resource's current ETag (GET it first)",
        );
        e.parameter = Some("If-Match".into());
        e
    }

    pub fn precondition_failed() -> Self {
        let mut e = Self::new(
            StatusCode::PRECONDITION_FAILED,
            "Precondition failed",
            "the resource changed since the ETag in If-Match was issued; GET it again and retry",
        );
        e.parameter = Some("If-Match".into());
        e
    }

    pub fn payload_too_large(limit: usize) -> Self {
        Self::new(
            StatusCode::PAYLOAD_TOO_LARGE,
            "Payload too large",
            format!("request bodies may be at most {limit} bytes"),
        )
    }

    pub fn too_many_requests(retry_after_secs: u64) -> Self {
        let mut e = Self::new(
            StatusCode::TOO_MANY_REQUESTS,
            "Too many requests",
            format!("this token's write rate limit is reached; retry after {retry_after_secs} s"),
        );
        e.retry_after = Some(retry_after_secs);
        e
    }

    /// A request whose target or header section is too large to be answered.
    pub fn too_large_head(status: StatusCode, part: &str, detail: String) -> Self {
        let title = if status == StatusCode::URI_TOO_LONG { "URI too long" } else { "Request header fields too large" };
        let mut e = Self::new(status, title, detail);
        e.parameter = Some(part.to_owned());
        e
    }

    pub fn too_many_failed_logins(retry_after_secs: u64) -> Self {
        let mut e = Self::new(
            StatusCode::TOO_MANY_REQUESTS,
            "Too many requests",
            format!("too many failed authentication attempts from this address; retry after {retry_after_secs} s"),
        );
        e.retry_after = Some(retry_after_secs);
        e
    }

    pub fn unsupported_media_type() -> Self {
        let mut e = Self::new(
            StatusCode::UNSUPPORTED_MEDIA_TYPE,
            "Unsupported media type",
            "Content-Type: send JSON (application/json, or application/merge-patch+json for PATCH)",
        );
        e.parameter = Some("Content-Type".into());
        e
    }

    /// A body that fails validation: every failing field, one answer.
    pub fn validation(errors: Vec<FieldError>) -> Self {
        let detail = errors.iter().map(|e| format!("{}: {}", e.field, e.message)).collect::<Vec<_>>().join("; ");
        let mut e = Self::new(StatusCode::UNPROCESSABLE_ENTITY, "Validation failed", detail);
        if errors.len() == 1 {
            e.parameter = Some(errors[0].field.clone());
        }
        e.errors = errors;
        e
    }

    /// The database could not be reached (pool timeout, connection refused).
    pub fn from_pool(e: impl std::fmt::Display) -> Self {
        tracing::warn!("database unavailable: {e}");
        Self::unavailable("the database is unavailable; retry shortly")
    }

    pub fn unavailable(detail: impl Into<String>) -> Self {
        Self::new(StatusCode::SERVICE_UNAVAILABLE, "Service unavailable", detail)
    }

    /// The database cannot store changes now (read-only, disk full): 503 with Retry-After.
    pub fn storage(detail: impl Into<String>) -> Self {
        let mut e = Self::unavailable(detail);
        e.retry_after = Some(30);
        e.storage_fault = true;
        e
    }

    pub fn internal(detail: impl Into<String>) -> Self {
        Self::new(StatusCode::INTERNAL_SERVER_ERROR, "Internal error", detail)
    }

    pub fn problem(&self) -> Problem {
        Problem {
            problem_type: "about:blank".into(),
            title: self.title.into(),
            status: self.status.as_u16(),
            detail: self.detail.clone(),
            parameter: self.parameter.clone(),
            errors: self.errors.clone(),
        }
    }
}

impl ResponseError for ApiError {
    fn status_code(&self) -> StatusCode {
        self.status
    }

    fn error_response(&self) -> HttpResponse {
        let mut resp = HttpResponse::build(self.status);
        resp.insert_header((header::CONTENT_TYPE, "application/problem+json"));
        if let Some(secs) = self.retry_after {
            resp.insert_header((header::RETRY_AFTER, secs.to_string()));
        } else if self.status == StatusCode::SERVICE_UNAVAILABLE {
            resp.insert_header((header::RETRY_AFTER, "5"));
        }
        if self.status == StatusCode::UNAUTHORIZED {
            resp.insert_header((header::WWW_AUTHENTICATE, "Bearer"));
        }
        resp.body(serde_json::to_string(&self.problem()).unwrap_or_default())
    }
}

/// Turns actix's own extractor and routing errors into problem documents.
pub fn json_config() -> actix_web::web::JsonConfig {
    actix_web::web::JsonConfig::default().error_handler(|err, _req| {
        let mut e = ApiError::new(StatusCode::BAD_REQUEST, "Invalid body", err.to_string());
        e.parameter = Some("body".into());
        e.into()
    })
}

pub fn query_config() -> actix_web::web::QueryConfig {
    actix_web::web::QueryConfig::default()
        .error_handler(|err, _req| ApiError::new(StatusCode::BAD_REQUEST, "Invalid query", err.to_string()).into())
}

/// No connection from the pool (the database is down, restarting or saturated): the request
/// may succeed later, so it answers 503 with Retry-After, never 500.
impl From<diesel_async::pooled_connection::deadpool::PoolError> for ApiError {
    fn from(e: diesel_async::pooled_connection::deadpool::PoolError) -> Self {
        tracing::warn!("no database connection: {e}");
        ApiError::unavailable("the database is unavailable; try again shortly")
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn lost_connections_are_unavailable_not_internal() {
        let e: ApiError = diesel::result::Error::DatabaseError(
            diesel::result::DatabaseErrorKind::ClosedConnection,
            Box::new("server closed the connection".to_owned()),
        )
        .into();
        assert_eq!(e.status, StatusCode::SERVICE_UNAVAILABLE);
        let resp = e.error_response();
        assert_eq!(resp.headers().get(header::RETRY_AFTER).unwrap(), "5");
        assert_eq!(resp.headers().get(header::CONTENT_TYPE).unwrap(), "application/problem+json");

        let e: ApiError = diesel::result::Error::RollbackTransaction.into();
        assert_eq!(e.status, StatusCode::INTERNAL_SERVER_ERROR);

        let e: ApiError =
            diesel_async::pooled_connection::deadpool::PoolError::Timeout(deadpool::managed::TimeoutType::Create)
                .into();
        assert_eq!(e.status, StatusCode::SERVICE_UNAVAILABLE);
    }
}

/// A database error in a handler: duplicate keys and missing references are conflicts (409); a
/// lost connection is temporary (503 with Retry-After); anything else is a fault of ours (500).
impl From<diesel::result::Error> for ApiError {
    fn from(e: diesel::result::Error) -> Self {
        use diesel::result::{DatabaseErrorKind, Error};
        match &e {
            Error::DatabaseError(DatabaseErrorKind::UniqueViolation, info) => {
                ApiError::conflict(format!("a record with the same key exists ({})", info.message()))
            }
            Error::DatabaseError(DatabaseErrorKind::ClosedConnection | DatabaseErrorKind::UnableToSendCommand, _)
            | Error::BrokenTransactionManager => ApiError::from_pool(e),
            Error::DatabaseError(DatabaseErrorKind::ReadOnlyTransaction, _) => {
                tracing::warn!("write refused by the database: {e}");
                ApiError::storage("the database accepts no changes right now (read-only); retry later")
            }
            Error::DatabaseError(_, info) if is_out_of_space(info.message()) => {
                tracing::error!("the database is out of disk space: {e}");
                ApiError::storage("the database has no space left to store changes; retry later")
            }
            Error::DatabaseError(DatabaseErrorKind::ForeignKeyViolation, info) => ApiError::conflict(format!(
                "a referenced record does not exist or is still referenced ({})",
                info.message()
            )),
            // Anything else is a fault of ours, not of the request.
            _ => {
                tracing::error!("database error: {e}");
                ApiError::internal("database error")
            }
        }
    }
}

/// PostgreSQL's words when a data file or the WAL cannot grow (SQLSTATE 53100 disk_full and
/// the "could not extend file ... No space left on device" of a full tablespace).
fn is_out_of_space(message: &str) -> bool {
    let m = message.to_ascii_lowercase();
    m.contains("no space left on device") || m.contains("could not extend file") || m.contains("disk full")
}

/// The problem answers every write endpoint may give, for OpenAPI: each a problem document
/// (`application/problem+json`, schema `Problem`).
pub struct WriteProblems;

impl WriteProblems {
    const ANSWERS: [(u16, &'static str); 12] = [
        (400, "The body is not JSON, or a path parameter is malformed"),
        (401, "Missing, unknown or revoked token"),
        (403, "The token may not change this organization's records"),
        (404, "No such record"),
        (409, "The id is taken, or the record conflicts with another"),
        (412, "If-Match names an older version: GET the record again"),
        (413, "The body is larger than allowed"),
        (415, "The body is not JSON"),
        (422, "Validation failed: `errors` lists every failing field; nothing was stored"),
        (428, "If-Match is missing (PATCH, PUT and DELETE need it)"),
        (429, "The token's write rate limit is reached: see Retry-After"),
        (503, "The database is unavailable: see Retry-After"),
    ];
}

impl utoipa::IntoResponses for WriteProblems {
    fn responses() -> std::collections::BTreeMap<String, utoipa::openapi::RefOr<utoipa::openapi::response::Response>> {
        use utoipa::openapi::{ContentBuilder, Ref, ResponseBuilder};
        let problem = || ContentBuilder::new().schema(Some(Ref::from_schema_name("Problem"))).build();
        Self::ANSWERS
            .into_iter()
            .map(|(status, description)| {
                let response =
                    ResponseBuilder::new().description(description).content("application/problem+json", problem());
                (status.to_string(), response.build().into())
            })
            .collect()
    }
}
