//! A local HTTP server standing in for an outside service (Kirkanta, a Pelias geocoder): it
//! answers every request with the reply set by the test, counts requests and records their
//! query strings.

use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Arc, Mutex};
use std::time::Duration;

use actix_web::{web, App, HttpRequest, HttpResponse, HttpServer};
use serde_json::Value;

#[derive(Clone)]
pub enum Reply {
    Json(Value),
    /// Status and raw body (e.g. truncated JSON, or a 500 page).
    Raw(u16, String),
    /// The JSON, after a delay.
    Slow(Duration, Value),
}

pub struct FixtureState {
    pub hits: AtomicUsize,
    pub reply: Mutex<Reply>,
    pub queries: Mutex<Vec<String>>,
}

pub struct Fixture {
    pub base: String,
    pub state: Arc<FixtureState>,
}

impl Fixture {
    pub async fn start(reply: Reply) -> Fixture {
        let state = Arc::new(FixtureState {
            hits: AtomicUsize::new(0),
            reply: Mutex::new(reply),
            queries: Mutex::new(Vec::new()),
        });
        let data = web::Data::from(state.clone());
        let listener = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
        let port = listener.local_addr().unwrap().port();
        let server = HttpServer::new(move || App::new().app_data(data.clone()).default_service(web::to(answer)))
            .workers(1)
            .listen(listener)
            .unwrap()
            .run();
        tokio::spawn(server);
        Fixture { base: format!("http://127.0.0.1:{port}"), state }
    }

    pub fn set(&self, reply: Reply) {
        *self.state.reply.lock().unwrap() = reply;
        self.state.hits.store(0, Ordering::SeqCst);
        self.state.queries.lock().unwrap().clear();
    }

    pub fn hits(&self) -> usize {
        self.state.hits.load(Ordering::SeqCst)
    }

    pub fn queries(&self) -> Vec<String> {
        self.state.queries.lock().unwrap().clone()
    }
}

async fn answer(state: web::Data<FixtureState>, req: HttpRequest) -> HttpResponse {
    state.hits.fetch_add(1, Ordering::SeqCst);
    state.queries.lock().unwrap().push(format!("{}?{}", req.path(), req.query_string()));
    let reply = state.reply.lock().unwrap().clone();
    match reply {
        Reply::Json(v) => HttpResponse::Ok().json(v),
        Reply::Raw(status, body) => HttpResponse::build(actix_web::http::StatusCode::from_u16(status).unwrap())
            .content_type("application/json")
            .body(body),
        Reply::Slow(delay, v) => {
            tokio::time::sleep(delay).await;
            HttpResponse::Ok().json(v)
        }
    }
}
