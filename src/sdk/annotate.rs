//! Adds who-received-it to records and observations as they stream past, and keeps
//! only the audited app's traffic when the capture says which app sent each packet.

use std::collections::HashMap;
use std::net::IpAddr;

use super::attribution::{Attributor, Party};
use crate::observation::Observation;
use crate::record::Record;

const MAX_NAMES: usize = 1 << 20;

pub struct Annotator {
    attributor: Attributor,
    names: HashMap<IpAddr, String>,
    package: Option<String>,
    /// Records and requests dropped because another app sent them.
    pub other_apps: u64,
}

impl Annotator {
    pub fn new(attributor: Attributor, package: Option<String>) -> Self {
        Annotator {
            attributor,
            names: HashMap::new(),
            package,
            other_apps: 0,
        }
    }

    /// The app whose traffic is kept (`--package`), if any.
    pub fn package(&self) -> Option<&str> {
        self.package.as_deref()
    }

    pub fn set_package(&mut self, package: String) {
        self.package = Some(package);
    }

    pub fn attributor(&self) -> &Attributor {
        &self.attributor
    }

    /// Addresses from DNS answers, with the name the app asked for.
    pub fn learn(&mut self, names: &[(IpAddr, String)]) {
        if self.names.len() > MAX_NAMES {
            self.names.clear();
        }
        for (ip, name) in names {
            self.names.insert(*ip, name.clone());
        }
    }

    /// The DNS name an address was looked up under.
    pub fn name_of(&self, ip: &IpAddr) -> Option<&str> {
        self.names.get(ip).map(String::as_str)
    }

    pub fn party(&self, name: Option<&str>, ip: Option<IpAddr>) -> Party {
        let looked_up = ip.and_then(|ip| self.name_of(&ip));
        self.attributor.attribute(name.or(looked_up), ip)
    }

    /// False when `--package` is set and another app sent this.
    pub fn keep_app(&mut self, app: Option<&str>) -> bool {
        match (&self.package, app) {
            (Some(want), Some(got)) if want != got => {
                self.other_apps += 1;
                false
            }
            _ => true,
        }
    }

    /// Sets the record's party; false if the record belongs to another app.
    pub fn record(&mut self, r: &mut Record) -> bool {
        if !self.keep_app(r.meta().app.as_deref()) {
            return false;
        }
        let ip = r.meta().dst.map(|d| d.ip);
        let party = self.party(r.server_name(), ip);
        r.meta_mut().party = Some(party.to_string());
        true
    }

    pub fn observation(&self, o: &mut Observation) {
        let party = self.party(o.host.as_deref(), o.dst.map(|d| d.ip));
        o.party = Some(party.to_string());
    }
}
