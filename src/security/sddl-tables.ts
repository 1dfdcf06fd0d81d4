/**
 * SDDL tokens (MS-DTYP 2.5.1.1). Rendering order and choices follow Samba 4.17's sddl.c so that
 * our output equals `ndr_unpack(security.descriptor, ...).as_sddl()` on everything Samba can
 * render (see test/fixtures/sd-corpus/README.md for the deliberate differences).
 */

/** ACE type tokens; the first eight are the only ones Samba 4.17 renders correctly. */
export const SDDL_ACE_TYPES: ReadonlyArray<readonly [string, number]> = [
  ['A', 0x00],
  ['D', 0x01],
  ['AU', 0x02],
  ['AL', 0x03],
  ['OA', 0x05],
  ['OD', 0x06],
  ['OU', 0x07],
  ['OL', 0x08],
  ['XA', 0x09],
  ['XD', 0x0a],
  ['ZA', 0x0b],
  ['XU', 0x0d],
  ['ML', 0x11],
  ['RA', 0x12],
  ['SP', 0x13],
];

/** ACE flag tokens, in Samba's rendering order. */
export const SDDL_ACE_FLAGS: ReadonlyArray<readonly [string, number]> = [
  ['OI', 0x01],
  ['CI', 0x02],
  ['NP', 0x04],
  ['IO', 0x08],
  ['ID', 0x10],
  ['SA', 0x40],
  ['FA', 0x80],
];

/** Access right tokens, in Samba 4.17's rendering order (RP WP CR CC DC LC LO RC WO WD SD DT SW GA GR GW GX). */
export const SDDL_RIGHTS: ReadonlyArray<readonly [string, number]> = [
  ['RP', 0x00000010],
  ['WP', 0x00000020],
  ['CR', 0x00000100],
  ['CC', 0x00000001],
  ['DC', 0x00000002],
  ['LC', 0x00000004],
  ['LO', 0x00000080],
  ['RC', 0x00020000],
  ['WO', 0x00080000],
  ['WD', 0x00040000],
  ['SD', 0x00010000],
  ['DT', 0x00000040],
  ['SW', 0x00000008],
  ['GA', 0x10000000],
  ['GR', 0x80000000],
  ['GW', 0x40000000],
  ['GX', 0x20000000],
];

/** Composite rights accepted when parsing (file and registry rights of MS-DTYP 2.5.1.1). */
export const SDDL_COMPOSITE_RIGHTS: ReadonlyArray<readonly [string, number]> = [
  ['FA', 0x001f01ff],
  ['FR', 0x00120089],
  ['FW', 0x00120116],
  ['FX', 0x001200a0],
  ['KA', 0x000f003f],
  ['KR', 0x00020019],
  ['KW', 0x00020006],
  ['KX', 0x00020019],
];

/** DACL flag tokens (SACL flags are the same bits shifted left by one). */
export const SDDL_ACL_FLAGS: ReadonlyArray<readonly [string, number]> = [
  ['P', 0x1000],
  ['AR', 0x0100],
  ['AI', 0x0400],
];

export const NO_ACCESS_CONTROL = 'NO_ACCESS_CONTROL';
