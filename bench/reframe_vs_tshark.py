#!/usr/bin/env python3
"""Every corpus capture re-framed as PPPoE over QinQ (Ethernet, 802.1ad + 802.1Q, PPPoE
session, PPP) and as PKTAP (258): the DNS/SNI/HTTP items tshark reads in the re-framed
file, and how many `privaudit flows` finds at the same frame. Items missed in the
re-framed file but not in the original are printed as WRAP-ONLY (a link-layer bug).

  python3 bench/reframe_vs_tshark.py [path/to/privaudit]
Needs tshark and editcap; the corpus from $PRIVAUDIT_CORPUS or ../shared/corpus.
"""
import json,struct,subprocess,sys,os,glob,tempfile
HERE=os.path.dirname(os.path.abspath(__file__))
B=sys.argv[1] if len(sys.argv)>1 else os.path.join(HERE,'..','target','debug','privaudit')
CORPUS=os.environ.get('PRIVAUDIT_CORPUS',os.path.join(HERE,'..','..','shared','corpus'))
TMP=tempfile.mkdtemp()
def read_pcap(p):
    d=open(p,'rb').read()
    le = d[:4] in (b'\xd4\xc3\xb2\xa1', b'\x4d\x3c\xb2\xa1')
    e='<' if le else '>'
    lt=struct.unpack(e+'I',d[20:24])[0]; off=24; out=[]
    while off+16<=len(d):
        ts,us,cap,orig=struct.unpack(e+'IIII',d[off:off+16]); off+=16
        out.append((ts,us,d[off:off+cap])); off+=cap
    return lt,out
def write_pcap(p,lt,pk):
    with open(p,'wb') as f:
        f.write(struct.pack('<IHHiIII',0xa1b2c3d4,2,4,0,0,262144,lt))
        for ts,us,b in pk: f.write(struct.pack('<IIII',ts,us,len(b),len(b))); f.write(b)
def ip_of(lt,b):
    if lt==1:
        at=12
        while at+2<=len(b):
            t=struct.unpack('>H',b[at:at+2])[0]
            if t in (0x8100,0x88a8): at+=4; continue
            if t in (0x800,0x86dd): return b[at+2:]
            return None
        return None
    if lt in (101,228,229): return b
    if lt==113:
        t=struct.unpack('>H',b[14:16])[0]
        return b[16:] if t in (0x800,0x86dd) else None
    return None
def pppoe(lt,b):
    ip=ip_of(lt,b)
    if ip is None: return b if lt==1 else None
    proto=0x57 if ip[0]>>4==6 else 0x21
    return bytes(12)+struct.pack('>HHHH',0x88a8,100,0x8100,200)+b'\x88\x64\x11\x00\x00\x01'+struct.pack('>HH',len(ip)+2,proto)+ip
def pktap(lt,b):
    inner={1:1,101:12,228:12,229:12,113:113,0:0}[lt]
    return (struct.pack('<III',108,1,inner)+b'en0'.ljust(24,b'\0')).ljust(108,b'\0')+b
def items(f):
    out=subprocess.run(['tshark','-n','-r',f,'-T','fields','-E','separator=|','-E','aggregator=;','-e','frame.number','-e','dns.qry.name','-e','tls.handshake.extensions_server_name','-e','http.request.method','-e','http.request.uri'],capture_output=True,text=True).stdout
    r=[]
    for l in out.splitlines():
        x=l.split('|'); fr=int(x[0])
        r+=[(fr,'dns',n) for n in x[1].split(';') if n]
        r+=[(fr,'tls',n) for n in x[2].split(';') if n]
        r+=[(fr,'http',m+' '+u) for m,u in zip([m for m in x[3].split(';') if m],x[4].split(';'))]
    return r
def ours(f):
    out=subprocess.run([B,'flows','--format','jsonl',f],capture_output=True,text=True).stdout
    return [json.loads(l) for l in out.splitlines() if l.strip()]
def found(recs,it):
    fr,k,v=it
    for r in recs:
        a=r.get('frame',0); b=r.get('last_frame',a)
        if not (a<=fr<=b): continue
        if k=='dns' and r['kind']=='dns' and (r.get('query')==v or v in r.get('queries',[])): return True
        if k=='tls' and r['kind'] in ('tls','quic') and r.get('sni')==v: return True
        if k=='http' and r['kind']=='http' and f"{r.get('method')} {r.get('uri')}"==v: return True
    return False
tot={'pppoe':[0,0],'pktap':[0,0]}
for src in sorted(glob.glob(CORPUS+'/pcap/*'))+sorted(glob.glob(CORPUS+'/tls/*.pcap*')):
    tmp=os.path.join(TMP,'src.pcap')
    if subprocess.run(['editcap','-F','pcap',src,tmp],capture_output=True).returncode: continue
    try: lt,pk=read_pcap(tmp)
    except Exception: continue
    if lt not in (1,101,228,229,113): continue
    for mode,fn,olt in (('pppoe',pppoe,1),('pktap',pktap,258)):
        if mode=='pppoe' and lt!=1 and lt not in (101,228,229,113): continue
        w=[(t,u,fn(lt,b)) for t,u,b in pk]
        w=[(t,u,b) for t,u,b in w if b is not None]
        if len(w)!=len(pk): continue
        out=os.path.join(TMP,mode+'.pcap'); write_pcap(out,olt,w)
        its=items(out); recs=ours(out)
        orig=ours(src)
        miss=[i for i in its if not found(recs,i)]
        base_miss=[i for i in items(src) if not found(orig,i)]
        if len(items(src))!=len(its): print('ITEM COUNT DIFFERS',os.path.basename(src),mode,len(items(src)),len(its))
        if len(miss)!=len(base_miss): print('WRAP-ONLY MISSES',os.path.basename(src),mode,[i for i in miss if i not in base_miss][:3])
        tot[mode][0]+=len(its); tot[mode][1]+=len(its)-len(miss)
        if miss: print(os.path.basename(src),mode,len(miss),'/',len(its),miss[:3])
for m,(a,b) in tot.items(): print(m, b,'/',a, round(b/max(a,1),4))
