//! The JSON API's handlers. They are thin: they parse and validate parameters
//! (`crate::http::params`), ask the snapshot (`crate::directory`), and shape the answer
//! (`crate::http::views`, `crate::http::respond`). `crate::routes` is the one route table.

pub mod events;
pub mod export;
pub mod geojson;
pub mod health;
pub mod hsds;
pub mod locations;
pub mod metrics;
pub mod organizations;
pub mod partner;
pub mod reference;
pub mod schedule;
pub mod services;
