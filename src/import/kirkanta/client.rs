//! HTTP and paging against Kirkanta API v4.
//!
//! Paging as the real server does it (`libraries-fi/kirkanta-api` `lib/storage.js`):
//! - `limit` defaults to 10; we ask for `PAGE_SIZE`.
//! - `total` is right only on the first page: `Storage.count` clones the query *with* its
//!   `LIMIT/OFFSET` and takes `.first()`, so with `skip > 0` the single count row is skipped
//!   and `total` is 0. We keep the first page's `total` and page until we hold that many
//!   libraries or a page comes back short or empty; never more pages than `total` allows.
//! - The default order is by name, which is not unique: rows with equal names may come in
//!   another order on the next page. We ask `sort=id` and still check for repeated ids.
//! - A page's schedules are loaded in one query of at most 5000 day rows (ordered by
//!   library): `PAGE_SIZE × WINDOW_DAYS` stays below that, and a page that reaches it is an
//!   error rather than libraries with silently missing days.

use std::collections::{BTreeSet, HashMap};

use anyhow::{bail, Context};
use chrono::NaiveDate;
use serde_json::Value;

use super::wire::{id_text, Page, PeriodRef};
use super::{Options, PAGE_SIZE, WINDOW_DAYS};

/// `lib/storage.js` `onResultMergeSchedules`: `limit: 5000` for the schedules of one page.
pub const SCHEDULE_ROWS_PER_REQUEST: usize = 5000;
/// A bound for listings whose first page gave no total.
const MAX_PAGES: usize = 1000;
const _: () = assert!(PAGE_SIZE * WINDOW_DAYS as usize <= SCHEDULE_ROWS_PER_REQUEST);

/// Sections we ask for (`with`): contact details live only there.
pub const WITH: &str = "primaryContactInfo,phoneNumbers,emailAddresses,links,services,schedules";

/// Everything fetched: the libraries as raw JSON, the periods their days refer to.
#[derive(Debug, Default)]
pub struct Fetched {
    pub items: Vec<Value>,
    pub periods: HashMap<String, PeriodRef>,
    /// What the first page said.
    pub total: u64,
    pub pages: usize,
}

async fn get_json(client: &reqwest::Client, url: &str, opts: &Options) -> anyhow::Result<Value> {
    let mut attempts = 0;
    let mut wait = opts.backoff;
    loop {
        attempts += 1;
        let detail = match client.get(url).send().await {
            Ok(resp) if resp.status().is_success() => match resp.bytes().await {
                Ok(body) => {
                    return serde_json::from_slice(&body)
                        .with_context(|| format!("{url}: the answer is not valid JSON ({} bytes)", body.len()))
                }
                Err(e) => format!("reading the answer: {e}"),
            },
            Ok(resp) if resp.status().is_server_error() || resp.status().as_u16() == 429 => {
                format!("HTTP {}", resp.status())
            }
            Ok(resp) => bail!("{url}: HTTP {}", resp.status()),
            Err(e) if e.is_timeout() => format!("timed out after {:?}", opts.timeout),
            Err(e) => e.to_string(),
        };
        if attempts > opts.retries {
            bail!("{url}: {detail} (gave up after {attempts} attempts)");
        }
        tracing::warn!(%url, %detail, attempts, "Kirkanta request failed; retrying");
        tokio::time::sleep(wait).await;
        wait *= 2;
    }
}

/// The URL of one page.
pub fn page_url(opts: &Options, start: NaiveDate, skip: usize) -> anyhow::Result<reqwest::Url> {
    let end = start + chrono::Duration::days(WINDOW_DAYS - 1);
    let mut url = reqwest::Url::parse(&format!("{}/library", opts.base_url.trim_end_matches('/')))
        .with_context(|| format!("bad Kirkanta base URL {:?}", opts.base_url))?;
    {
        let mut q = url.query_pairs_mut();
        if let Some(c) = &opts.consortium {
            q.append_pair("consortium", c);
        }
        if let Some(c) = &opts.city {
            // A prefix match on the city's name (storage.js `city.name`: 'prefix').
            q.append_pair("city.name", c);
        }
        q.append_pair("with", WITH)
            .append_pair("refs", "period")
            .append_pair("period.start", &start.to_string())
            .append_pair("period.end", &end.to_string())
            .append_pair("lang", "fi")
            .append_pair("sort", "id")
            .append_pair("limit", &PAGE_SIZE.to_string())
            .append_pair("skip", &skip.to_string());
    }
    Ok(url)
}

/// Every library in scope.
pub async fn fetch(opts: &Options, start: NaiveDate) -> anyhow::Result<Fetched> {
    crate::geocode::check_tls(&opts.base_url)?;
    let client = reqwest::Client::builder()
        .timeout(opts.timeout)
        .connect_timeout(opts.timeout)
        .user_agent(concat!("digituki/", env!("CARGO_PKG_VERSION")))
        .build()?;
    let mut out = Fetched::default();
    let mut ids = BTreeSet::new();
    loop {
        let url = page_url(opts, start, out.items.len())?;
        let body = get_json(&client, url.as_str(), opts).await?;
        let page: Page = serde_json::from_value(body)
            .with_context(|| format!("{url}: not a Kirkanta result set (expected {{type, total, items: [...]}})"))?;
        out.pages += 1;
        if out.pages == 1 {
            out.total = page.total.unwrap_or(0);
        }
        let n = page.items.len();
        let days: usize =
            page.items.iter().map(|i| i.get("schedules").and_then(Value::as_array).map_or(0, Vec::len)).sum();
        if days >= SCHEDULE_ROWS_PER_REQUEST {
            bail!("{url}: {days} schedule days on one page: Kirkanta cuts them at {SCHEDULE_ROWS_PER_REQUEST}");
        }
        for item in &page.items {
            if let Some(id) = item.get("id").and_then(id_text) {
                if !ids.insert(id.clone()) {
                    bail!("{url}: library {id} came twice while paging; the listing changed under us");
                }
            }
        }
        if let Some(refs) = page.refs {
            out.periods.extend(refs.period);
        }
        out.items.extend(page.items);
        // A first page without a usable total: the short or empty page ends the listing.
        let expected = (out.total > 0).then_some(out.total as usize);
        if n == 0 || n < PAGE_SIZE || expected.is_some_and(|e| out.items.len() >= e) {
            break;
        }
        let most = expected.map_or(MAX_PAGES, |e| e / PAGE_SIZE + 1);
        if out.pages >= most {
            bail!("{url}: still more libraries after {} pages; Kirkanta announced {}", out.pages, out.total);
        }
    }
    if out.items.len() < out.total as usize {
        bail!("Kirkanta announced {} libraries but paging returned {}; nothing imported", out.total, out.items.len());
    }
    Ok(out)
}
