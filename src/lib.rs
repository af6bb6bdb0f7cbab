//! Digituki directory: who helps people with digital matters in North Karelia, with what,
//! where, when and in which language.

pub mod api;
pub mod config;
pub mod db;
pub mod directory;
pub mod embed;
pub mod error;
pub mod geo;
pub mod hours;
pub mod i18n;
pub mod openapi;
pub mod seed;
pub mod startup;
