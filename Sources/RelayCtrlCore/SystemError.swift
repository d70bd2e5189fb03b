import CRelayLibc

/// errno, as Glibc's overlay would give it: the tools' core is also compiled as Embedded Swift,
/// which has no overlay (CRelayLibc.h). Internal, so that it never meets the overlay's own.
var errno: Int32 { relay_errno() }
