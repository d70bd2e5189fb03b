/// The names and references a loader saw, recorded even where the surrounding entry was
/// broken, so that cross-reference problems are reported together with all the others.
struct SpecOutline {
    struct WindowReference {
        var service: String
        var verb: String
        var window: Written<String>
    }

    struct PortUse {
        var service: String
        var port: Written<Int>
        /// The listen address as written; nil: every address.
        var listen: String?
        /// The host it runs on; ports clash only on one host.
        var host: String?
    }

    struct HostReference {
        var service: Written<String>
        var host: Written<String>?
    }

    var hosts: [Written<String>] = []
    var hostReferences: [HostReference] = []
    /// Each Redis window's `host`.
    var redisHosts: [Written<String>] = []

    var windows: [Written<String>] = []
    var wrappers: [Written<String>] = []
    var windowReferences: [WindowReference] = []
    var chainPrograms: [Written<String>] = []
    var ports: [PortUse] = []
    var pathOverrides: [Written<String>] = []
}
