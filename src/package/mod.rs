//! Readers for mobile app packages (Android APK, iOS IPA): manifest, permissions,
//! bundled code (DEX class names, native libraries, frameworks) and privacy manifests.
//!
//! Every reader treats its input as hostile: sizes, offsets and counts found in a
//! file are checked before use, and decompression is bounded by [`zipread::ZipLimits`].

pub mod apk;
pub mod axml;
pub mod bundle;
pub mod dex;
pub mod macho;
pub mod plistinfo;
pub mod protoxml;
pub mod zipread;

pub use apk::{ApkError, ApkInfo, read_apk};
pub use dex::DexError;

pub use plistinfo::{
    AccessedApi, CollectedDataType, IpaError, IpaInfo, PlistError, PrivacyManifest,
    parse_privacy_manifest, read_ipa,
};
pub use zipread::{ZipLimits, ZipReadError, ZipReader};
pub mod inventory;
