//! What every editor route needs before it runs, as extractors: `SignedIn` for a page (a
//! current session, else back to signing in) and `Posting` for a form (also the same origin,
//! the session's CSRF field and the key's rate limit). A refusal is a page in the partner's
//! language, or a redirect to signing in.

use std::future::Future;
use std::pin::Pin;

use actix_web::dev::Payload;
use actix_web::http::StatusCode;
use actix_web::{web, FromRequest, HttpRequest, HttpResponse, ResponseError};
use maud::PreEscaped;

use super::forms::Posted;
use super::pages::{self, href};
use super::texts::words;
use super::{lang_of, page, same_origin, same_secret, see_other, session, Session};
use crate::directory::Directory;
use crate::error::ApiError;
use crate::http::state::AppState;
use crate::i18n::Lang;

/// Why a route did not run: a page saying so, or a redirect.
#[derive(Debug)]
pub struct Refusal {
    status: StatusCode,
    redirect: Option<String>,
    page: String,
}

impl std::fmt::Display for Refusal {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "refused with {}", self.status)
    }
}

impl ResponseError for Refusal {
    fn status_code(&self) -> StatusCode {
        self.status
    }

    fn error_response(&self) -> HttpResponse {
        match &self.redirect {
            Some(to) => see_other(to),
            None => page(self.status, PreEscaped(self.page.clone())),
        }
    }
}

impl Refusal {
    /// A page saying what stopped the partner (with the signed-in frame when there is a session).
    pub fn page(lang: Lang, status: StatusCode, s: Option<&Session>, dir: &Directory, text: &str) -> Refusal {
        let own = s.map(|s| pages::own_name(dir, s)).unwrap_or_default();
        let markup = pages::problem_page(lang, s.map(|s| (s, own.as_str())), text);
        Refusal { status, redirect: None, page: markup.into_string() }
    }

    /// Back to signing in.
    pub fn sign_in(lang: Lang) -> Refusal {
        let to = format!("{}&first=1", href("/partner", lang));
        Refusal { status: StatusCode::SEE_OTHER, redirect: Some(to), page: String::new() }
    }

    /// A failure of the write path that is not about fields, in the partner's words.
    pub fn failed(lang: Lang, s: Option<&Session>, dir: &Directory, e: &ApiError) -> Refusal {
        let (status, text) = failure(lang, e);
        Refusal::page(lang, status, s, dir, text)
    }
}

/// A failure of the write path that is not about fields: its status and words.
pub fn failure(lang: Lang, e: &ApiError) -> (StatusCode, &'static str) {
    let w = words(lang);
    match e.status.as_u16() {
        403 => (StatusCode::FORBIDDEN, w.not_allowed),
        404 | 410 => (StatusCode::NOT_FOUND, w.not_found),
        409 | 412 => (StatusCode::CONFLICT, w.conflict),
        429 => (StatusCode::TOO_MANY_REQUESTS, w.slow_down),
        _ => (StatusCode::SERVICE_UNAVAILABLE, w.failed),
    }
}

pub(super) fn state_of(req: &HttpRequest) -> Result<web::Data<AppState>, Refusal> {
    req.app_data::<web::Data<AppState>>().cloned().ok_or_else(|| Refusal {
        status: StatusCode::INTERNAL_SERVER_ERROR,
        redirect: None,
        page: String::new(),
    })
}

async fn current(state: &AppState, req: &HttpRequest, lang: Lang) -> Result<Session, Refusal> {
    match session(state, req).await {
        Ok(Some(s)) => Ok(s),
        Ok(None) => Err(Refusal::sign_in(lang)),
        Err(e) => Err(Refusal::failed(lang, None, &state.store.get(), &e)),
    }
}

type Boxed<T> = Pin<Box<dyn Future<Output = Result<T, Refusal>>>>;

/// A page's guard: a current session, else back to signing in.
pub struct SignedIn {
    pub session: Session,
    pub lang: Lang,
}

impl SignedIn {
    /// The coordinator's pages: an admin key, else a page saying the key may not.
    pub fn coordinator(self, dir: &Directory) -> Result<SignedIn, Refusal> {
        if self.session.caller.is_admin {
            Ok(self)
        } else {
            Err(Refusal::page(self.lang, StatusCode::FORBIDDEN, Some(&self.session), dir, words(self.lang).not_allowed))
        }
    }
}

impl FromRequest for SignedIn {
    type Error = Refusal;
    type Future = Boxed<Self>;

    fn from_request(req: &HttpRequest, _: &mut Payload) -> Self::Future {
        let req = req.clone();
        Box::pin(async move {
            let state = state_of(&req)?;
            let lang = lang_of(&req);
            Ok(SignedIn { session: current(&state, &req, lang).await?, lang })
        })
    }
}

/// A form's guard: posted from this site, with a current session and its CSRF field, within
/// the key's rate limit.
pub struct Posting {
    pub session: Session,
    pub form: Posted,
    pub lang: Lang,
}

impl Posting {
    /// The coordinator's forms: an admin key, else a page saying the key may not.
    pub fn coordinator(self, dir: &Directory) -> Result<Posting, Refusal> {
        if self.session.caller.is_admin {
            Ok(self)
        } else {
            Err(Refusal::page(self.lang, StatusCode::FORBIDDEN, Some(&self.session), dir, words(self.lang).not_allowed))
        }
    }
}

impl FromRequest for Posting {
    type Error = Refusal;
    type Future = Boxed<Self>;

    fn from_request(req: &HttpRequest, payload: &mut Payload) -> Self::Future {
        let form = web::Form::<Vec<(String, String)>>::from_request(req, payload);
        let req = req.clone();
        Box::pin(async move {
            let state = state_of(&req)?;
            let lang = lang_of(&req);
            let w = words(lang);
            let dir = state.store.get();
            if !same_origin(&req) {
                return Err(Refusal::page(lang, StatusCode::FORBIDDEN, None, &dir, w.form_expired));
            }
            let form =
                form.await.map_err(|_| Refusal::page(lang, StatusCode::BAD_REQUEST, None, &dir, w.form_expired))?;
            let form = Posted::new(form.into_inner());
            let s = current(&state, &req, lang).await?;
            if !same_secret(form.get("csrf"), &s.csrf) {
                return Err(Refusal::page(lang, StatusCode::FORBIDDEN, Some(&s), &dir, w.form_expired));
            }
            if state.limiter.check(s.caller.token_id).is_err() {
                return Err(Refusal::page(lang, StatusCode::TOO_MANY_REQUESTS, Some(&s), &dir, w.slow_down));
            }
            Ok(Posting { session: s, form, lang })
        })
    }
}
