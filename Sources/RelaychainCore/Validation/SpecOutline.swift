/// The names and references a loader saw, recorded even where the surrounding entry was
/// broken, so that cross-reference problems are reported together with all the others.
struct SpecOutline {
    struct WindowReference {
        var service: String
        var verb: String
        var window: Located<String>
    }

    struct PortUse {
        var service: String
        var port: Located<Int>
        /// The listen address as written; nil: every address.
        var listen: String?
        /// The host it runs on; ports clash only on one host.
        var host: String?
    }

    struct HostReference {
        var service: Written<String>
        var host: Located<String>?
    }

    var hosts: [Written<String>] = []
    var hostReferences: [HostReference] = []
    /// Each Redis window's `host`.
    var redisHosts: [Located<String>] = []

    var windows: [Written<String>] = []
    var wrappers: [Written<String>] = []
    var windowReferences: [WindowReference] = []
    var chainPrograms: [Located<String>] = []
    var ports: [PortUse] = []
    var pathOverrides: [Written<String>] = []
}
