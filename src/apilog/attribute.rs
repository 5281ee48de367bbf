//! Who made a call: innermost first, the first stack frame that is neither the platform
//! nor a common library decides — an SDK when its class falls under one of the SDK
//! signatures' package prefixes (`sdk:<id>`), else the app (`first-party`). An
//! obfuscated frame (`a.b.c`) cannot say whose it is: the decision falls to the first
//! readable frame after it. Unlike Camille, which takes the last SDK prefix found anywhere
//! in the stack, the frame closest to the call wins: an SDK called by the app's code is
//! the SDK's read, and the app calling through a utility library is the app's.

use serde::Serialize;

use super::map::AttributionConfig;
use crate::sdk::SdkDb;

/// The decision and the frame it rests on.
#[derive(Debug, Clone, Serialize, PartialEq, Eq)]
pub struct Attribution {
    pub party: String,
    /// The frame used, as the log wrote it (trimmed).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub frame: Option<String>,
    /// Its position, innermost = 0.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub frame_index: Option<usize>,
    /// `sdk-prefix`, `app-frame`, `after-obfuscated` (the first readable frame after
    /// obfuscated ones), `core-caller` (the frame of the SDK that called its vendor
    /// core, e.g. JPush calling JCore), `ios-module`, or `no-frame` (nothing but platform frames, or no
    /// stack: the app answers for its own process), `tool-party` (no deciding frame; the
    /// tool's own attribution names one SDK).
    pub how: &'static str,
}

/// One Java frame's class name, from the forms the tools write:
/// `   at cn.jpush.a.b(Unknown Source:12)` (Java), `cn.jpush.Foo.bar() 123 <- ` (PrivacySentry),
/// `cn.jpush.Foo.bar(Foo.java:3)` (Camille). Returns (class, method).
pub fn java_frame(frame: &str) -> Option<(&str, &str)> {
    let f = frame.trim().trim_end_matches("<-").trim();
    let f = f.strip_prefix("at ").unwrap_or(f).trim();
    let head = f.split('(').next()?.trim();
    if head.is_empty() || head.contains(char::is_whitespace) || !head.contains('.') {
        return None;
    }
    let (class, method) = head.rsplit_once('.')?;
    if class.is_empty() || method.is_empty() {
        return None;
    }
    Some((class, method))
}

/// An iOS frame as Frida's `DebugSymbol` prints it: `0x1a2b JCore!-[JCOREDevice idfa]`.
fn ios_frame(frame: &str) -> Option<(&str, &str)> {
    let f = frame.trim();
    let f = match f.split_once(' ') {
        Some((addr, rest)) if addr.starts_with("0x") => rest.trim(),
        _ => f,
    };
    let (module, symbol) = f.split_once('!')?;
    (!module.is_empty()).then_some((module, symbol))
}

/// R8/ProGuard renamed it: `a.b.c.d` (all package segments one or two characters), or
/// a vendor package kept with renamed inner packages and classes (`cn.jiguang.e.a`:
/// class and innermost package one or two characters).
fn obfuscated(class: &str) -> bool {
    let short = |s: &str| s.chars().count() <= 2;
    let mut segs: Vec<&str> = class.split('.').collect();
    let Some(name) = segs.pop() else {
        return false;
    };
    let name = name.split('$').next().unwrap_or(name);
    !segs.is_empty()
        && (segs.iter().all(|s| short(s)) || (short(name) && segs.last().is_some_and(|s| short(s))))
}

/// A vendor core (`jcore`) is what its products (`jpush`, `core = "jcore"`) call: when
/// one of them is further out on the stack, that product asked for the read — and its
/// hosts are where the traffic goes, the core having none of its own.
fn product_calling_core(
    sdks: &SdkDb,
    core: &str,
    outer: &[String],
    start: usize,
) -> Option<(usize, String)> {
    let id = core.strip_prefix("sdk:")?;
    if !sdks.sdks.iter().any(|s| s.core.as_deref() == Some(id)) {
        return None;
    }
    outer.iter().enumerate().skip(start).find_map(|(i, f)| {
        let p = match ios_frame(f) {
            Some((module, symbol)) => sdk_by_ios(sdks, module, symbol)?,
            None => sdk_by_class(sdks, java_frame(f)?.0)?,
        };
        let pid = p.strip_prefix("sdk:")?;
        sdks.get(pid)
            .filter(|s| s.core.as_deref() == Some(id))
            .map(|_| (i, p))
    })
}

/// The SDK whose Java package prefix (on a segment boundary) is the longest match.
fn sdk_by_class(sdks: &SdkDb, class: &str) -> Option<String> {
    let mut best: Option<(usize, &str)> = None;
    for s in &sdks.sdks {
        for p in &s.android_packages {
            let hit = class.starts_with(p.as_str())
                && matches!(
                    class.as_bytes().get(p.len()),
                    None | Some(b'.') | Some(b'$')
                );
            if hit && best.is_none_or(|(n, _)| p.len() > n) {
                best = Some((p.len(), &s.id));
            }
        }
    }
    best.map(|(_, id)| format!("sdk:{id}"))
}

fn sdk_by_ios(sdks: &SdkDb, module: &str, symbol: &str) -> Option<String> {
    sdks.sdks
        .iter()
        .find(|s| {
            s.ios_frameworks.iter().any(|f| f == module)
                || s.ios_classes.iter().any(|c| {
                    symbol.contains(&format!("[{c} ")) || symbol.contains(&format!("{c}."))
                })
        })
        .map(|s| format!("sdk:{}", s.id))
}

/// Decides the party of one call from its stack (innermost frame first).
pub fn attribute(stack: &[String], sdks: &SdkDb, cfg: &AttributionConfig) -> Attribution {
    let platform = |class: &str| {
        cfg.platform_prefixes
            .iter()
            .any(|p| class.starts_with(p.as_str()))
    };
    let mut skipped_obfuscated = false;
    for (i, frame) in stack.iter().enumerate() {
        if let Some((module, symbol)) = ios_frame(frame) {
            if cfg
                .platform_modules
                .iter()
                .any(|p| module.starts_with(p.as_str()))
            {
                continue;
            }
            let party = sdk_by_ios(sdks, module, symbol).unwrap_or_else(|| "first-party".into());
            if let Some((j, product)) = product_calling_core(sdks, &party, stack, i + 1) {
                return Attribution {
                    party: product,
                    frame: Some(stack[j].trim().to_string()),
                    frame_index: Some(j),
                    how: "core-caller",
                };
            }
            return Attribution {
                party,
                frame: Some(frame.trim().to_string()),
                frame_index: Some(i),
                how: "ios-module",
            };
        }
        let Some((class, _)) = java_frame(frame) else {
            continue;
        };
        if platform(class) {
            continue;
        }
        if obfuscated(class) && sdk_by_class(sdks, class).is_none() {
            skipped_obfuscated = true;
            continue;
        }
        let (party, how) = match sdk_by_class(sdks, class) {
            Some(p) => (p, "sdk-prefix"),
            None => ("first-party".to_string(), "app-frame"),
        };
        if let Some((j, product)) = product_calling_core(sdks, &party, stack, i + 1) {
            return Attribution {
                party: product,
                frame: Some(stack[j].trim().trim_end_matches("<-").trim().to_string()),
                frame_index: Some(j),
                how: "core-caller",
            };
        }
        return Attribution {
            party,
            frame: Some(frame.trim().trim_end_matches("<-").trim().to_string()),
            frame_index: Some(i),
            how: if skipped_obfuscated {
                "after-obfuscated"
            } else {
                how
            },
        };
    }
    Attribution {
        party: "first-party".into(),
        frame: None,
        frame_index: None,
        how: "no-frame",
    }
}

/// When the stack decides nothing (empty, or platform frames only), the tool's own
/// attribution (Camille's 行为主体, an SDK's Chinese or English name) is the next best
/// witness — if it names exactly one SDK in the signatures.
pub fn from_tool(tool_party: &str, sdks: &SdkDb) -> Option<Attribution> {
    let norm = |s: &str| -> String {
        s.chars()
            .filter(|c| !c.is_whitespace())
            .flat_map(char::to_lowercase)
            .collect()
    };
    let want = norm(tool_party);
    if want.is_empty() || want == "app本身" {
        return None;
    }
    let hits: Vec<&str> = sdks
        .sdks
        .iter()
        .filter(|s| {
            s.name_zh.iter().chain(std::iter::once(&s.name)).any(|n| {
                let n = norm(n);
                !n.is_empty() && (n == want || n.contains(&want) || want.contains(&n))
            })
        })
        .map(|s| s.id.as_str())
        .collect();
    match hits.as_slice() {
        [id] => Some(Attribution {
            party: format!("sdk:{id}"),
            frame: None,
            frame_index: None,
            how: "tool-party",
        }),
        _ => None,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::apilog::map::ApiMap;

    fn run(stack: &[&str]) -> Attribution {
        let stack: Vec<String> = stack.iter().map(|s| s.to_string()).collect();
        attribute(&stack, &SdkDb::builtin(), &ApiMap::builtin().attribution)
    }

    #[test]
    fn innermost_non_platform_frame_decides() {
        let a = run(&[
            "   android.telephony.TelephonyManager.getDeviceId(Native Method)",
            "   cn.jpush.android.api.JPushInterface.getUdid(JPushInterface.java:41)",
            "   com.seeyon.cmp.App.onCreate(App.java:88)",
            "   com.umeng.commonsdk.UMConfigure.init(UMConfigure.java:10)",
        ]);
        assert_eq!(a.party, "sdk:jpush");
        assert_eq!(a.frame_index, Some(1));
        assert_eq!(a.how, "sdk-prefix");
    }

    #[test]
    fn app_frame_and_library_frames() {
        let a = run(&[
            "android.net.wifi.WifiInfo.getMacAddress(Native Method)",
            "okhttp3.internal.Util.x(Util.java:1)",
            "com.seeyon.cmp.util.DeviceUtil.mac(DeviceUtil.java:5)",
            "com.tencent.bugly.crashreport.CrashReport.init(CrashReport.java:3)",
        ]);
        assert_eq!(a.party, "first-party");
        assert_eq!(a.how, "app-frame");
        assert_eq!(a.frame_index, Some(2));
    }

    #[test]
    fn obfuscated_frames_fall_back_to_the_next_readable_one() {
        let a = run(&[
            "java.lang.reflect.Method.invoke(Native Method)",
            "a.b.c.d(Unknown Source:4)",
            "com.igexin.push.core.a.run(Unknown Source:2)",
        ]);
        assert_eq!(a.party, "sdk:getui");
        assert_eq!(a.how, "after-obfuscated");
        // Obfuscated inside an SDK's own namespace still names it.
        let a = run(&["cn.jiguang.api.a.b(Unknown Source:1)"]);
        assert_eq!(a.party, "sdk:jcore");
        // A vendor package kept, its inner packages renamed: the next readable frame.
        let a = run(&[
            "android.telephony.TelephonyManager.getDeviceId(Native Method)",
            "cn.jiguang.e.a.b(Unknown Source:41)",
            "cn.jpush.android.api.JPushInterface.init(JPushInterface.java:95)",
        ]);
        assert_eq!(a.party, "sdk:jpush");
        assert_eq!(a.how, "after-obfuscated");
        assert_eq!(a.frame_index, Some(2));
        // Readable names stay readable.
        assert!(!obfuscated("com.seeyon.cmp.App"));
        assert!(!obfuscated("cn.jpush.android.api.JPushInterface"));
        assert!(obfuscated("a.b.c.Main"));
        assert!(obfuscated("cn.jiguang.e.a$1"));
    }

    #[test]
    fn a_vendor_core_answers_to_the_product_that_called_it() {
        // JCore's own class, called by JPush: JPush asked for the read.
        let a = run(&[
            "cn.jiguang.api.JCoreInterface.getDeviceId(Unknown Source:3)",
            "cn.jpush.android.api.JPushInterface.init(JPushInterface.java:95)",
            "com.seeyon.cmp.CMPApplication.onCreate(CMPApplication.java:92)",
        ]);
        assert_eq!(a.party, "sdk:jpush");
        assert_eq!(a.how, "core-caller");
        assert_eq!(a.frame_index, Some(1));
        // JCore's own service with no product on the stack: JCore itself.
        let a = run(&[
            "cn.jpush.android.service.PushService.report(Unknown Source:77)",
            "android.os.Handler.dispatchMessage(Handler.java:106)",
        ]);
        assert_eq!(a.party, "sdk:jcore");
        assert_eq!(a.how, "sdk-prefix");
        // An SDK that is nobody's core is not looked past.
        let a = run(&[
            "com.umeng.commonsdk.statistics.common.DeviceConfig.getImei(DeviceConfig.java:1)",
            "cn.jpush.android.api.JPushInterface.init(JPushInterface.java:95)",
        ]);
        assert_eq!(a.party, "sdk:umeng");
    }

    #[test]
    fn the_tools_attribution_when_the_stack_says_nothing() {
        let db = SdkDb::builtin();
        assert_eq!(
            from_tool("极光推送", &db).map(|a| a.party),
            Some("sdk:jpush".into())
        );
        assert!(from_tool("APP本身", &db).is_none());
        assert!(from_tool("", &db).is_none());
    }

    #[test]
    fn privacysentry_frames_and_ios_modules() {
        let a = run(&[
            "com.yl.lib.privacy_proxy.PrivacyProxyCall$Proxy.getDeviceId() 120 <- ",
            "com.umeng.commonsdk.statistics.common.DeviceConfig.getImei() 1,234 <- ",
        ]);
        assert_eq!(a.party, "sdk:umeng");
        let a = run(&[
            "0x1b2c AdSupport!-[ASIdentifierManager advertisingIdentifier]",
            "0x2c3d JCore!-[JCOREDevice idfa]",
        ]);
        assert_eq!(a.party, "sdk:jcore");
        assert_eq!(a.how, "ios-module");
        let a = run(&[
            "0x1b2c AdSupport!-[ASIdentifierManager advertisingIdentifier]",
            "0x2c3d JCore!-[JCOREDevice idfa]",
            "0x3d4e JPush!+[JPUSHService setupWithOption:appKey:channel:]",
        ]);
        assert_eq!(a.party, "sdk:jpush");
        assert_eq!(a.how, "core-caller");
        assert_eq!(run(&[]).how, "no-frame");
    }
}
