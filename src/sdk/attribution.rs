//! Who received it: every host (SNI, HTTP Host, or the DNS name the app looked the
//! address up under) is attributed to the app itself (`first-party`), a named SDK
//! (`sdk:<id>`), another third party by registrable domain (`third-party:<domain>`,
//! public-suffix aware), or, for an address never looked up, `unknown:<ip>`.

use std::fmt;
use std::net::IpAddr;
use std::sync::Arc;

use super::signatures::SdkDb;

#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum Party {
    FirstParty,
    Sdk(String),
    ThirdParty(String),
    Unknown(String),
}

impl fmt::Display for Party {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Party::FirstParty => f.write_str("first-party"),
            Party::Sdk(id) => write!(f, "sdk:{id}"),
            Party::ThirdParty(d) => write!(f, "third-party:{d}"),
            Party::Unknown(ip) => write!(f, "unknown:{ip}"),
        }
    }
}

impl Party {
    pub fn parse(s: &str) -> Option<Party> {
        if s == "first-party" {
            return Some(Party::FirstParty);
        }
        let (kind, rest) = s.split_once(':')?;
        match kind {
            "sdk" => Some(Party::Sdk(rest.to_string())),
            "third-party" => Some(Party::ThirdParty(rest.to_string())),
            "unknown" => Some(Party::Unknown(rest.to_string())),
            _ => None,
        }
    }

    pub fn is_third_party(&self) -> bool {
        !matches!(self, Party::FirstParty)
    }
}

/// The registrable domain (eTLD+1) of a host name under the ICANN section of the
/// public suffix list. Private-section suffixes (`googleapis.com`, `appspot.com`,
/// `akamaihd.net`) are skipped: for "who receives this" the company owning the
/// platform domain is the answer, not each customer's subdomain.
pub fn registrable_domain(host: &str) -> Option<String> {
    let host = host.trim_end_matches('.').to_ascii_lowercase();
    if host.parse::<IpAddr>().is_ok() || !host.contains('.') {
        return None;
    }
    let mut candidate: &str = &host;
    let icann_suffix = loop {
        let suffix = psl::suffix(candidate.as_bytes())?;
        let text = std::str::from_utf8(suffix.as_bytes()).ok()?;
        match suffix.typ() {
            Some(psl::Type::Private) => match text.split_once('.') {
                Some((_, parent)) => candidate = &host[host.len() - parent.len()..],
                None => break text.len(),
            },
            _ => break text.len(),
        }
    };
    if host.len() <= icann_suffix {
        return None;
    }
    let head = &host[..host.len() - icann_suffix - 1];
    let label = head.rsplit('.').next()?;
    Some(host[host.len() - icann_suffix - label.len() - 1..].to_string())
}

/// Attributes hosts to parties.
#[derive(Debug, Clone)]
pub struct Attributor {
    first_party: Vec<String>,
    sdks: Arc<SdkDb>,
}

impl Attributor {
    /// `first_party` holds the app's own domains (suffix match).
    pub fn new(first_party: Vec<String>, sdks: Arc<SdkDb>) -> Self {
        let first_party = first_party
            .into_iter()
            .map(|d| {
                d.trim()
                    .trim_start_matches("*.")
                    .trim_end_matches('.')
                    .to_ascii_lowercase()
            })
            .filter(|d| !d.is_empty())
            .collect();
        Attributor { first_party, sdks }
    }

    pub fn sdks(&self) -> &SdkDb {
        &self.sdks
    }

    fn is_first_party(&self, host: &str) -> bool {
        self.first_party.iter().any(|d| {
            host == d
                || (host.len() > d.len()
                    && host.ends_with(d.as_str())
                    && host.as_bytes()[host.len() - d.len() - 1] == b'.')
        })
    }

    /// The party behind a host name, or behind an address when no name is known.
    pub fn attribute(&self, name: Option<&str>, ip: Option<IpAddr>) -> Party {
        if let Some(raw) = name.filter(|n| !n.is_empty()) {
            let host = crate::exchange::strip_port(raw)
                .trim_end_matches('.')
                .to_ascii_lowercase();
            if let Ok(addr) = host.parse::<IpAddr>() {
                return Party::Unknown(addr.to_string());
            }
            if self.is_first_party(&host) {
                return Party::FirstParty;
            }
            if let Some(sdk) = self.sdks.by_host(&host) {
                return Party::Sdk(sdk.id.clone());
            }
            return match registrable_domain(&host) {
                Some(d) => Party::ThirdParty(d),
                None => Party::ThirdParty(host),
            };
        }
        match ip {
            Some(ip) => Party::Unknown(ip.to_string()),
            None => Party::Unknown("?".into()),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn attributor() -> Attributor {
        Attributor::new(vec!["seeyon.com".into()], Arc::new(SdkDb::builtin()))
    }

    #[test]
    fn parties() {
        let a = attributor();
        assert_eq!(a.attribute(Some("m3.seeyon.com"), None), Party::FirstParty);
        assert_eq!(
            a.attribute(Some("notseeyon.com"), None).to_string(),
            "third-party:notseeyon.com"
        );
        assert_eq!(
            a.attribute(Some("alog.umeng.com:80"), None).to_string(),
            "sdk:umeng"
        );
        assert_eq!(
            a.attribute(Some("www.bbc.co.uk"), None).to_string(),
            "third-party:bbc.co.uk"
        );
        assert_eq!(
            a.attribute(None, Some("10.1.2.3".parse().unwrap()))
                .to_string(),
            "unknown:10.1.2.3"
        );
        assert_eq!(
            registrable_domain("datasaver.googleapis.com").as_deref(),
            Some("googleapis.com")
        );
        assert_eq!(
            registrable_domain("feelinsonice-hrd.appspot.com").as_deref(),
            Some("appspot.com")
        );
        assert_eq!(
            registrable_domain("a.b.example.com.cn").as_deref(),
            Some("example.com.cn")
        );
        assert_eq!(registrable_domain("localhost"), None);
        assert_eq!(Party::parse("sdk:umeng"), Some(Party::Sdk("umeng".into())));
    }
}
