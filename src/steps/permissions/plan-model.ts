/**
 * The permissions plan as data: options, the containers and computers it looks at, the rows the
 * report shows (SELF, mirror, remediation) and the descriptor edits apply performs.
 */
import type { Ace, SecurityDescriptor } from '../../security/index.js';
import type { LapsGuids, Tier } from './model.js';

export interface PlanOptions {
  /** Grant the Windows LAPS SELF permission where computers lack it (default true). */
  self: boolean;
  /** Grant the legacy SELF permission where legacy-managed computers lack it (default true). */
  legacySelf: boolean;
  /** Mirror legacy read / reset / deny ACEs onto the Windows LAPS attributes (default true). */
  mirror: boolean;
  /** Remove CONTROL_ACCESS from non-admin All Extended Rights ACEs reaching computers (opt-in). */
  removeAllExtendedRights: boolean;
  /** Make Domain Admins the owner of computers owned by a non-admin (opt-in). */
  fixOwners: boolean;
  /** Containers chosen with --ou (each with its subtree); absent = every container. */
  scope?: string[];
}

export const DEFAULT_PLAN_OPTIONS: PlanOptions = { self: true, legacySelf: true, mirror: true, removeAllExtendedRights: false, fixOwners: false };

export interface PlanContainer {
  dn: string;
  kind: 'domain' | 'ou' | 'container';
  classGuids: string[];
  /** As the audit read it (owner + DACL); undefined when unreadable. */
  sd?: SecurityDescriptor;
  computers: number;
  domainControllers: number;
  legacyManaged: number;
}

export interface PlanComputer {
  dn: string;
  name: string;
  /** The SID that owns it (per-computer mode) or created it (mS-DS-CreatorSID). */
  ownerOrCreator: string | null;
  ownerTier: Tier | null;
  ownerName: string | null;
  source: 'computer' | 'container';
}

export interface PlanInput {
  domainDn: string;
  domainSid: string;
  laps: LapsGuids;
  classDefaultSd?: SecurityDescriptor;
  containers: PlanContainer[];
  computers: PlanComputer[];
  tierOf: (sid: string) => Tier;
  nameOf: (sid: string) => string;
}

export type SelfAction = 'grant' | 'inherits-planned-grant' | 'covered' | 'not-requested' | 'skipped-dcs' | 'out-of-scope' | 'unreadable';

export interface SelfRow {
  container: string;
  dn: string;
  computers: number;
  legacyManaged: number;
  legacyNow: boolean;
  windowsNow: boolean;
  readEncryptedNow: boolean;
  action: SelfAction;
  grants: Array<'windows' | 'legacy'>;
  legacyAfter: boolean;
  windowsAfter: boolean;
  readEncryptedAfter: boolean;
}

export interface MirrorRow {
  container: string;
  dn: string;
  principal: string;
  sid: string;
  kinds: Array<'read' | 'reset' | 'deny' | 'other'>;
  legacyAces: string[];
  windowsAces: string[];
  status: 'add' | 'present';
}

export interface RemediationRow {
  kind: 'all-extended-rights' | 'owner';
  dn: string;
  object: string;
  principal: string;
  sid: string;
  detail: string;
}

export interface DescriptorEdit {
  dn: string;
  /** SD flags to read and write with: 4 DACL only, 5 owner + DACL (owner changes). */
  sdFlags: 4 | 5;
  reasons: string[];
  /** ACEs merged in (idempotent). */
  add: Ace[];
  /** Explicit ACEs removed (exact match). */
  remove: Ace[];
  /** Explicit ACEs replaced by a narrower one. */
  replace: Array<{ from: Ace; to: Ace }>;
  /** Make this SID the owner when the current owner is a non-admin; drop that owner's CREATOR OWNER ACEs. */
  newOwner?: string;
}

export interface PermissionsPlanModel {
  edits: DescriptorEdit[];
  self: SelfRow[];
  mirror: MirrorRow[];
  remediation: RemediationRow[];
  /** Containers the plan may touch (--ou and their subtrees, or every one). */
  scope: string[] | 'all';
}
