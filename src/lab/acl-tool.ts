/**
 * Lab fixtures only: adds ACEs, protects DACLs and sets owners through Samba's own Python
 * bindings (Samba parses the SDDL and keeps canonical order), so the lab's descriptors are
 * produced by the DC's code, not by ours. The password goes through the environment, never argv.
 */
import { run } from './system.js';

export interface AclOp {
  dn: string;
  /** ACE strings in SDDL, e.g. "(OA;CIIO;RPCR;<guid>;<guid>;S-1-5-21-...)". */
  add?: string[];
  /** Set SE_DACL_PROTECTED and drop the inherited ACEs (nothing from above applies any more). */
  protect?: boolean;
  /** New owner SID. */
  owner?: string;
}

const SCRIPT = String.raw`
import sys, json, os, re
import ldb
from samba.samdb import SamDB
from samba.credentials import Credentials, DONT_USE_KERBEROS
from samba.param import LoadParm
from samba.ndr import ndr_unpack, ndr_pack
from samba.dcerpc import security
spec = json.load(sys.stdin)
lp = LoadParm()
lp.load(spec['smbconf'])
creds = Credentials()
creds.guess(lp)
creds.set_username(spec['user'])
creds.set_password(os.environ['LAB_ACL_PASSWORD'])
creds.set_domain(spec['domain'])
creds.set_kerberos_state(DONT_USE_KERBEROS)
db = SamDB(url=spec['url'], credentials=creds, lp=lp)
dom = security.dom_sid(db.get_domain_sid())
def split_aces(body):
    return re.findall(r'\([^()]*\)', body)
for op in spec['ops']:
    flags = 4 | (1 if op.get('owner') else 0)
    res = db.search(op['dn'], scope=ldb.SCOPE_BASE, attrs=['nTSecurityDescriptor'], controls=['sd_flags:1:%d' % flags])
    sd = ndr_unpack(security.descriptor, res[0]['nTSecurityDescriptor'][0])
    sddl = sd.as_sddl(dom)
    m = re.search(r'D:([A-Z]*)((?:\([^()]*\))*)', sddl)
    dflags, body = m.group(1), m.group(2)
    aces = split_aces(body)
    new = op.get('add', [])
    def inherited(a):
        return 'ID' in a.split(';')[1]
    def deny(a):
        return a.split(';')[0].lstrip('(') in ('D', 'OD')
    if op.get('protect'):
        # protect and remove the inherited entries: nothing from above reaches this OU any more
        aces = [a for a in aces if not inherited(a)]
        if 'P' not in dflags:
            dflags = 'P' + dflags
    exp_deny = [a for a in aces if not inherited(a) and deny(a)]
    exp_allow = [a for a in aces if not inherited(a) and not deny(a)]
    inh = [a for a in aces if inherited(a)]
    for a in new:
        if a in exp_deny or a in exp_allow:
            continue
        (exp_deny if deny(a) else exp_allow).append(a)
    dacl = 'D:' + dflags + ''.join(exp_deny + exp_allow + inh)
    owner = ('O:' + op['owner']) if op.get('owner') else ''
    nsd = security.descriptor.from_sddl(owner + dacl, dom)
    msg = ldb.Message()
    msg.dn = ldb.Dn(db, op['dn'])
    msg['nTSecurityDescriptor'] = ldb.MessageElement(ndr_pack(nsd), ldb.FLAG_MOD_REPLACE, 'nTSecurityDescriptor')
    db.modify(msg, controls=['sd_flags:1:%d' % flags])
print('ok %d' % len(spec['ops']))
`;

export function applyAclOps(opts: { smbConf: string; url: string; user: string; domain: string; password: string }, ops: AclOp[]): void {
  if (!ops.length) return;
  run('/usr/bin/python3', ['-c', SCRIPT], 'lab ACL seeding (samba python bindings)', {
    input: JSON.stringify({ smbconf: opts.smbConf, url: opts.url, user: opts.user, domain: opts.domain, ops }),
    env: { ...process.env, LAB_ACL_PASSWORD: opts.password, PYTHONPATH: '' },
  });
}
