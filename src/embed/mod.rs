//! The directory for people: the embeddable widget (`/embed.js`), the script-free list for
//! iframes (`/embed/list`), the staff referral tool (`/staff`) and printable referral slips.
//!
//! Everything here reads the snapshot like the JSON API and reuses its filters and answers.
//! It must never put partner text into markup unescaped (maud escapes; `innerHTML` is never
//! used with data in the widget), never render a link that is not http(s), and never answer
//! CORS preflights: write endpoints grant no CORS.

pub mod events;
pub mod list;
pub mod page;
pub mod referral;
pub mod staff;
pub mod texts;
pub mod widget;
