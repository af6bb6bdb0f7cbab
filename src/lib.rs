//! Digituki directory: who helps people with digital matters in North Karelia, with what,
//! where, when and in which language.

pub mod api;
pub mod auth;
pub mod config;
pub mod db;
pub mod directory;
pub mod domain;
pub mod edit;
pub mod editor;
pub mod embed;
pub mod error;
pub mod events;
pub mod export;
pub mod geo;
pub mod geocode;
pub mod head_guard;
pub mod hours;
pub mod hsds;
pub mod http;
pub mod i18n;
pub mod import;
pub mod openapi;
pub mod routes;
pub mod seed;
pub mod startup;
