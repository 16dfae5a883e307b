package dev.atoll.drivers;

/**
 * 128 bytes before a subclass's fields: the first half of the padding around fields that other threads
 * write (Apple Silicon's cache line is 128 bytes; x86 fetches 64-byte lines in pairs). The other half
 * is a class of the same shape that extends the padded fields' class, so it cannot be shared.
 *
 * <p>Bytes, as in JCTools: HotSpot places a superclass's fields first but fills gaps in their layout
 * with a subclass's fields, and {@code long} padding leaves a 4-byte gap after the 12-byte object
 * header where a padded {@code int} would land. {@code FalseSharingLayoutTest} measures the result.
 */
public abstract class LeftPadding128 {
    byte p000, p001, p002, p003, p004, p005, p006, p007, p010, p011, p012, p013, p014, p015, p016, p017;
    byte p020, p021, p022, p023, p024, p025, p026, p027, p030, p031, p032, p033, p034, p035, p036, p037;
    byte p040, p041, p042, p043, p044, p045, p046, p047, p050, p051, p052, p053, p054, p055, p056, p057;
    byte p060, p061, p062, p063, p064, p065, p066, p067, p070, p071, p072, p073, p074, p075, p076, p077;
    byte p100, p101, p102, p103, p104, p105, p106, p107, p110, p111, p112, p113, p114, p115, p116, p117;
    byte p120, p121, p122, p123, p124, p125, p126, p127, p130, p131, p132, p133, p134, p135, p136, p137;
    byte p140, p141, p142, p143, p144, p145, p146, p147, p150, p151, p152, p153, p154, p155, p156, p157;
    byte p160, p161, p162, p163, p164, p165, p166, p167, p170, p171, p172, p173, p174, p175, p176, p177;

    /** For subclasses only. */
    protected LeftPadding128() {
    }
}
