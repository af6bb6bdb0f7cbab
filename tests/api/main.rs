//! The one integration-test binary: every test talks HTTP to the real service on a real
//! PostgreSQL (see `helpers`).

mod helpers;

mod bad_input;
mod browser;
mod embed;
mod fixture;
mod geocode;
mod hours;
mod hsds;
mod kirkanta;
mod locations;
mod nearest;
mod openapi;
mod ops;
mod partner;
mod reference;
mod truth;
