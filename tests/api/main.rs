//! The one integration-test binary: every test talks HTTP to the real service on a real
//! PostgreSQL (see `helpers`).

mod helpers;

mod bad_input;
mod browser;
mod embed;
mod hours;
mod locations;
mod nearest;
mod openapi;
mod partner;
mod ops;
mod reference;
mod fixture;
mod geocode;
mod hsds;
mod kirkanta;
