/*
 * privaudit-agent.js — hooks the privacy APIs of an Android or iOS app and prints one
 * JSON object per call in privaudit's API-log format (privaudit.apilog/1, see
 * docs/api-log.md), ready for `privaudit audit --api-log FILE`.
 *
 *   frida -U -f com.example.app -l tools/frida/privaudit-agent.js -q 2>&1 \
 *       | grep --line-buffered '^{' > session-api.jsonl
 *   # when the user taps "agree" in the privacy dialog, type in the frida REPL:
 *   #   rpc.exports.consent()
 *
 * Every line is written with console.log, so it reaches frida's stdout as-is; the grep
 * keeps only the JSON lines. Times are UTC (RFC 3339), taken on the phone, so the log
 * and a capture made on the same phone (PCAPdroid) share a clock.
 *
 * Values the hooked calls return are masked on the phone (first and last characters
 * kept) unless the agent is loaded with `--parameters '{"showValues":true}'`.
 * Written for privaudit; the hooked API list mirrors signatures/api-calls.toml.
 */

'use strict';

var SCHEMA = 'privaudit.apilog/1';
var showValues = false;
try {
    // frida --parameters '{"showValues":true}'
    if (typeof parameters !== 'undefined' && parameters && parameters.showValues) {
        showValues = true;
    }
} catch (e) { /* older frida: no parameters */ }

var appState = 'foreground';

function mask(v) {
    if (v === null || v === undefined) return null;
    var s = String(v);
    if (showValues) return s;
    var n = s.length;
    if (n <= 4) return new Array(Math.max(n, 1) + 1).join('*');
    var keep = n <= 8 ? 1 : Math.min(Math.ceil(n / 4), 4);
    return s.slice(0, keep) + new Array(Math.min(n - 2 * keep, 12) + 1).join('*') + s.slice(n - keep);
}

function emit(obj) {
    console.log(JSON.stringify(obj));
}

function now() {
    return new Date().toISOString();
}

var platform = 'unknown';
if (Java.available) platform = 'android';
else if (ObjC.available) platform = 'ios';
emit({ kind: 'meta', schema: SCHEMA, platform: platform, package: null, tool: 'privaudit-agent.js 1' });

rpc.exports = {
    // Call from the REPL when the user agrees to the privacy policy.
    consent: function () {
        emit({ kind: 'consent', ts: now(), note: 'rpc.exports.consent()' });
    },
    // Mark foreground/background by hand when the lifecycle hooks cannot.
    state: function (s) {
        appState = s === 'background' ? 'background' : 'foreground';
        emit({ kind: 'state', ts: now(), app_state: appState });
    }
};

/* ------------------------------------------------------------------ Android */

function javaStack() {
    var Exception = Java.use('java.lang.Exception');
    var frames = Exception.$new().getStackTrace();
    var out = [];
    for (var i = 0; i < frames.length && out.length < 40; i++) {
        out.push(frames[i].toString());
    }
    return out;
}

function argText(a) {
    if (a === null || a === undefined) return 'null';
    if (typeof a === 'string' || typeof a === 'number' || typeof a === 'boolean') return String(a);
    try { return '<' + a.$className + '>'; } catch (e) { return '<object>'; }
}

function hookJava(className, methods, opts) {
    opts = opts || {};
    var cls;
    try { cls = Java.use(className); } catch (e) { return; }
    methods.forEach(function (m) {
        if (!cls[m]) return;
        cls[m].overloads.forEach(function (ov) {
            ov.implementation = function () {
                var ret = ov.apply(this, arguments);
                var args = [];
                for (var i = 0; i < arguments.length; i++) args.push(argText(arguments[i]));
                if (opts.argFilter && !opts.argFilter(args)) return ret;
                var stack = javaStack();
                var result = null;
                if (!opts.noResult && ret !== undefined) result = mask(argText(ret));
                var thread = Java.use('java.lang.Thread').currentThread().getName();
                // Our own frame (this implementation) is not in a Java stack; the
                // innermost entries are the hooked method itself, as Camille's are.
                emit({
                    kind: 'call', ts: now(), api: className + '.' + m, args: args,
                    result: result, stack: stack, thread: thread, app_state: appState
                });
                return ret;
            };
        });
    });
}

function hookAndroid() {
    Java.perform(function () {
        hookJava('android.telephony.TelephonyManager', ['getDeviceId', 'getImei', 'getMeid', 'getSubscriberId',
            'getSimSerialNumber', 'getLine1Number', 'getSimOperator', 'getNetworkOperator', 'getSimOperatorName',
            'getNetworkOperatorName', 'getSimCountryIso', 'getCellLocation', 'getAllCellInfo', 'requestCellInfoUpdate']);
        hookJava('android.provider.Settings$Secure', ['getString'], {
            argFilter: function (a) { return a[1] === 'android_id'; } });
        hookJava('android.provider.Settings$System', ['getString'], {
            argFilter: function (a) { return a[1] === 'android_id'; } });
        hookJava('android.os.Build', ['getSerial']);
        hookJava('android.net.wifi.WifiInfo', ['getMacAddress', 'getSSID', 'getBSSID', 'getIpAddress']);
        hookJava('android.net.wifi.WifiManager', ['getScanResults', 'getConnectionInfo', 'getConfiguredNetworks']);
        hookJava('java.net.NetworkInterface', ['getHardwareAddress']);
        hookJava('android.bluetooth.BluetoothAdapter', ['getAddress']);
        hookJava('android.app.ApplicationPackageManager', ['getInstalledPackages', 'getInstalledApplications',
            'queryIntentActivities'], { noResult: true });
        hookJava('android.app.ActivityManager', ['getRunningAppProcesses', 'getRunningTasks'], { noResult: true });
        hookJava('android.content.ClipboardManager', ['getPrimaryClip', 'getText']);
        hookJava('android.location.LocationManager', ['getLastKnownLocation', 'requestLocationUpdates',
            'requestSingleUpdate', 'getCurrentLocation'], { noResult: true });
        hookJava('android.content.ContentResolver', ['query'], {
            noResult: true,
            argFilter: function (a) { return /contacts|calendar|sms|call_log|media/.test(a[0] || ''); } });

        // Foreground/background from the activity lifecycle: the last resumed activity
        // paused and none resumed within a second means the app went to the background.
        try {
            var Activity = Java.use('android.app.Activity');
            var pending = null;
            Activity.onResume.implementation = function () {
                if (pending) { clearTimeout(pending); pending = null; }
                if (appState !== 'foreground') {
                    appState = 'foreground';
                    emit({ kind: 'state', ts: now(), app_state: appState });
                }
                return this.onResume();
            };
            Activity.onPause.implementation = function () {
                pending = setTimeout(function () {
                    appState = 'background';
                    emit({ kind: 'state', ts: now(), app_state: appState });
                }, 1000);
                return this.onPause();
            };
        } catch (e) { /* no lifecycle: use rpc.exports.state() */ }
    });
}

/* ---------------------------------------------------------------------- iOS */

function iosStack(context) {
    return Thread.backtrace(context, Backtracer.ACCURATE).slice(0, 40).map(function (a) {
        var s = DebugSymbol.fromAddress(a);
        // "0x1a2b JCore!-[JCOREDevice idfa]": module!symbol, as privaudit attributes it.
        return a + ' ' + (s.moduleName || '?') + '!' + (s.name || '?');
    });
}

function hookObjC(cls, sel, api) {
    var klass = ObjC.classes[cls];
    if (!klass || !klass[sel]) return;
    Interceptor.attach(klass[sel].implementation, {
        onEnter: function () { this.stack = iosStack(this.context); },
        onLeave: function (ret) {
            var value = null;
            try { value = ret.isNull() ? null : new ObjC.Object(ret).toString(); } catch (e) { value = null; }
            var thread = ObjC.classes.NSThread.isMainThread() ? 'main' : 'background-thread';
            emit({ kind: 'call', ts: now(), api: api, args: [], result: mask(value), stack: this.stack,
                   thread: thread, app_state: appState });
        }
    });
}

function hookIos() {
    hookObjC('ASIdentifierManager', '- advertisingIdentifier', 'ASIdentifierManager.advertisingIdentifier');
    hookObjC('UIDevice', '- identifierForVendor', 'UIDevice.identifierForVendor');
    hookObjC('UIDevice', '- name', 'UIDevice.name');
    hookObjC('CLLocationManager', '- location', 'CLLocationManager.location');
    hookObjC('CLLocationManager', '- startUpdatingLocation', 'CLLocationManager.startUpdatingLocation');
    hookObjC('CLLocationManager', '- requestLocation', 'CLLocationManager.requestLocation');
    hookObjC('UIPasteboard', '- string', 'UIPasteboard.string');
    hookObjC('CTTelephonyNetworkInfo', '- serviceSubscriberCellularProviders',
        'CTTelephonyNetworkInfo.serviceSubscriberCellularProviders');
    // Foreground/background from UIKit's notifications.
    try {
        var center = ObjC.classes.NSNotificationCenter.defaultCenter();
        var Observer = ObjC.registerClass({
            name: 'PrivauditStateObserver',
            methods: {
                '- background:': function () { appState = 'background'; emit({ kind: 'state', ts: now(), app_state: appState }); },
                '- foreground:': function () { appState = 'foreground'; emit({ kind: 'state', ts: now(), app_state: appState }); }
            }
        });
        var obs = Observer.alloc().init();
        center.addObserver_selector_name_object_(obs, ObjC.selector('background:'), 'UIApplicationDidEnterBackgroundNotification', NULL);
        center.addObserver_selector_name_object_(obs, ObjC.selector('foreground:'), 'UIApplicationWillEnterForegroundNotification', NULL);
    } catch (e) { /* use rpc.exports.state() */ }
}

if (Java.available) {
    hookAndroid();
} else if (ObjC.available) {
    hookIos();
}
