//! The one integration-test binary: every test talks HTTP to the real service on a real
//! PostgreSQL (see `helpers`).

mod helpers;

mod bad_input;
mod browser;
mod cluster;
mod demo_data;
mod devex;
mod editor;
mod embed;
mod events;
mod events_pages;
mod fixture;
mod fragments;
mod geocode;
mod hardening;
mod hours;
mod hsds;
mod kirkanta;
mod layering;
mod locations;
mod nearest;
mod openapi;
mod ops;
mod partner;
mod ptv;
mod reference;
mod roundtrip;
mod schedule;
mod snapshot;
mod truth;
