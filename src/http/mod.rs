//! What the JSON API (`crate::api`) and the pages (`crate::embed`) share: the application
//! state, query parameters (`params`), answer helpers (`respond`) and shapes (`views`), the
//! nearest search, links, proxies, write limits and documentation-only schema types.
//! Nothing here imports `api`, `embed`, `openapi` or `auth`.

pub mod answers;
pub mod fragments;
pub mod limits;
pub mod nearest;
pub mod params;
pub mod proxy;
pub mod read;
pub mod respond;
pub mod schemas;
pub mod state;
pub mod urls;
pub mod views;
