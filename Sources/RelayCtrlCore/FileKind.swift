import CRelayLibc

/// What stat(2) says a directory entry is. The store honours only regular files.
public enum FileKind: Sendable {
    case regular, directory, symbolicLink, fifo, device, socket, other

    public init(_ status: stat) {
        switch status.st_mode & mode_t(S_IFMT) {
        case mode_t(S_IFREG): self = .regular
        case mode_t(S_IFDIR): self = .directory
        case mode_t(S_IFLNK): self = .symbolicLink
        case mode_t(S_IFIFO): self = .fifo
        case mode_t(S_IFCHR), mode_t(S_IFBLK): self = .device
        case mode_t(S_IFSOCK): self = .socket
        default: self = .other
        }
    }

    /// How log lines name it.
    public var phrase: String {
        switch self {
        case .regular: "a regular file"
        case .directory: "a directory"
        case .symbolicLink: "a symbolic link"
        case .fifo: "a FIFO"
        case .device: "a device"
        case .socket: "a socket"
        case .other: "not a regular file"
        }
    }
}
