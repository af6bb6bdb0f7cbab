//! Reading PTV's open API v11: the service channels of municipalities and/or organizations,
//! page by page, and the organizations that own the service locations among them.
//!
//! * `GET {base}/ServiceChannel/list/area/Municipality/code/{code}?page=N`
//! * `GET {base}/ServiceChannel/list/organization?organizationId={guid}&page=N`
//! * `GET {base}/Organization/{guid}`
//!
//! Pages are numbered from 1; every answer says `pageNumber` and `pageCount`. Everything is
//! fetched before anything is written: an HTTP error, a timeout or malformed JSON on any page
//! fails the whole fetch.

use std::collections::BTreeMap;

use anyhow::{bail, Context};
use serde_json::Value;

use super::wire::{Organization, Page};
use super::Options;

/// Never read more pages than this from one listing (PTV lists Helsinki in about 80).
pub const MAX_PAGES: u32 = 500;

pub struct Fetched {
    /// Every channel of every listing, raw, once per channel id (first seen wins), in order.
    pub channels: Vec<Value>,
    /// Pages read.
    pub pages: usize,
}

fn http(opts: &Options) -> anyhow::Result<reqwest::Client> {
    crate::geocode::check_tls(&opts.base_url)?;
    Ok(reqwest::Client::builder()
        .timeout(opts.timeout)
        .connect_timeout(opts.timeout)
        .user_agent(concat!("digituki/", env!("CARGO_PKG_VERSION")))
        .build()?)
}

/// GET with retries for timeouts, connection errors, 429 and 5xx; other statuses fail at once.
async fn get_json(client: &reqwest::Client, url: &reqwest::Url, opts: &Options) -> anyhow::Result<Value> {
    get_json_or_404(client, url, opts, false).await?.context("unreachable: 404 is an error here")
}

/// As `get_json`; with `absent_ok`, 404 answers `None`.
async fn get_json_or_404(
    client: &reqwest::Client,
    url: &reqwest::Url,
    opts: &Options,
    absent_ok: bool,
) -> anyhow::Result<Option<Value>> {
    let mut attempt = 0;
    let mut wait = opts.backoff;
    loop {
        attempt += 1;
        let problem = match client.get(url.clone()).header("Accept", "application/json").send().await {
            Ok(resp) if resp.status().is_success() => match resp.bytes().await {
                Ok(body) => {
                    return serde_json::from_slice(&body)
                        .map(Some)
                        .with_context(|| format!("{url}: the answer is not valid JSON ({} bytes)", body.len()))
                }
                Err(e) => format!("reading the answer: {e}"),
            },
            Ok(resp) if resp.status().is_server_error() || resp.status().as_u16() == 429 => {
                format!("HTTP {}", resp.status())
            }
            Ok(resp) if absent_ok && resp.status().as_u16() == 404 => return Ok(None),
            Ok(resp) => bail!("{url}: HTTP {}", resp.status()),
            Err(e) if e.is_timeout() => format!("timed out after {:?}", opts.timeout),
            Err(e) => e.to_string(),
        };
        if attempt > opts.retries {
            bail!("{url}: {problem} (gave up after {attempt} attempts)");
        }
        tracing::warn!(%url, %problem, attempt, "PTV request failed; retrying");
        tokio::time::sleep(wait).await;
        wait *= 2;
    }
}

fn endpoint(opts: &Options, segments: &[&str]) -> anyhow::Result<reqwest::Url> {
    let mut url = reqwest::Url::parse(opts.base_url.trim_end_matches('/'))
        .with_context(|| format!("bad PTV base URL {:?}", opts.base_url))?;
    url.path_segments_mut().map_err(|_| anyhow::anyhow!("bad PTV base URL {:?}", opts.base_url))?.extend(segments);
    Ok(url)
}

/// Every page of one listing.
async fn listing(
    client: &reqwest::Client,
    opts: &Options,
    base: reqwest::Url,
    out: &mut BTreeMap<String, usize>,
    channels: &mut Vec<Value>,
) -> anyhow::Result<usize> {
    let mut page_no = 1u32;
    let mut pages = 0;
    loop {
        let mut url = base.clone();
        url.query_pairs_mut().append_pair("page", &page_no.to_string());
        let body = get_json(client, &url, opts).await?;
        let page: Page = serde_json::from_value(body)
            .with_context(|| format!("{url}: not a PTV page (expected {{pageNumber, pageCount, itemList}})"))?;
        let Some(page_count) = page.page_count else {
            bail!("{url}: not a PTV page (no pageCount)");
        };
        if page.page_number.is_some_and(|n| n != page_no) {
            bail!("{url}: asked for page {page_no}, PTV answered page {}", page.page_number.unwrap_or(0));
        }
        pages += 1;
        for item in page.item_list.unwrap_or_default() {
            match item.get("id").and_then(Value::as_str) {
                Some(id) if out.contains_key(&id.to_lowercase()) => {}
                Some(id) => {
                    out.insert(id.to_lowercase(), channels.len());
                    channels.push(item);
                }
                // No id: kept, so that the import can say it skipped it.
                None => channels.push(item),
            }
        }
        if page_no >= page_count || page_count == 0 {
            break;
        }
        page_no += 1;
        if page_no > MAX_PAGES {
            bail!("{base}: more than {MAX_PAGES} pages; refusing to read on");
        }
    }
    Ok(pages)
}

/// Every channel of the municipalities and organizations in `opts`.
pub async fn fetch_channels(opts: &Options) -> anyhow::Result<Fetched> {
    let client = http(opts)?;
    let mut seen = BTreeMap::new();
    let mut channels = Vec::new();
    let mut pages = 0;
    for code in &opts.municipalities {
        let url = endpoint(opts, &["ServiceChannel", "list", "area", "Municipality", "code", code])?;
        pages += listing(&client, opts, url, &mut seen, &mut channels).await?;
    }
    for org in &opts.ptv_organizations {
        let mut url = endpoint(opts, &["ServiceChannel", "list", "organization"])?;
        url.query_pairs_mut().append_pair("organizationId", org);
        pages += listing(&client, opts, url, &mut seen, &mut channels).await?;
    }
    Ok(Fetched { channels, pages })
}

/// The PTV organizations with these ids; one PTV does not know (404) is left out.
pub async fn fetch_organizations(
    opts: &Options,
    ids: impl IntoIterator<Item = &String>,
) -> anyhow::Result<BTreeMap<String, Organization>> {
    let client = http(opts)?;
    let mut out = BTreeMap::new();
    for id in ids {
        let url = endpoint(opts, &["Organization", id])?;
        let Some(body) = get_json_or_404(&client, &url, opts, true).await? else {
            tracing::warn!(%url, "PTV does not know this organization");
            continue;
        };
        let org: Organization =
            serde_json::from_value(body).with_context(|| format!("{url}: not a PTV organization"))?;
        out.insert(id.clone(), org);
    }
    Ok(out)
}
