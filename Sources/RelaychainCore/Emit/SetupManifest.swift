/// The part of `setup` that takes back what an earlier build installed and this one no longer
/// does (a cron.d file under the spec's old name, a unit of a service since removed). setup keeps
/// a manifest beside itself, `.relaychain-installed`: each file it installed, with its checksum as
/// installed. A file is removed only while it is still what setup put there; one changed since
/// is left, and named. The output directory is root's alone (trust_output), so is the manifest.
enum SetupManifest {
    static let functions = #"""

        # installed: each target install_file saw this run, one per line (the new manifest).
        installed=

        # take_back: removes what the last manifest lists and this run did not install, while it is
        # unchanged; then writes the manifest anew.
        take_back() {
          manifest=$here/.relaychain-installed
          if [ -f "$manifest" ]; then
            while read -r crc size path; do
              case "
        $installed
        " in *"
        $path
        "*) continue ;; esac
              target=$root$path
              [ -e "$target" ] || [ -L "$target" ] || continue
              guarded "$target" 0 || continue
              if [ ! -f "$target" ] || [ -L "$target" ] || [ "$(cksum <"$target")" != "$crc $size" ]; then
                notes="$notes
        left alone: $target (an earlier build installed it; it has changed since, so remove it yourself)"
              else
                act "remove $target: an earlier build installed it and this one does not" rm -f "$target"
              fi
            done <"$manifest"
          fi
          [ -z "$dry" ] || return 0
          printf '%s\n' "$installed" | while read -r path; do
            [ -z "$path" ] || [ ! -f "$root$path" ] || printf '%s %s\n' "$(cksum <"$root$path")" "$path"
          done >"$manifest.new"
          # Whatever the umask: trust_output refuses an output others could change.
          chmod 644 "$manifest.new"
          mv -f "$manifest.new" "$manifest"
        }

        """#
}
