/// The part of `setup` that keeps root from following a path another account controls. setup
/// runs as root and copies, chowns and links by name: an output directory, a target or any
/// directory above one that another account can change would let that account choose what root
/// installs or which file root hands over. So before acting on a path setup checks the path and
/// every directory above it, and refuses (naming the path and why) rather than act.
enum SetupPathGuard {
    /// Shell functions: `unsafe PATH [UID]` prints why root must not act on PATH (nothing when it
    /// may), `guarded PATH [UID]` reports that as a problem and fails, and `trust_output` refuses
    /// to run at all from an output directory that others can change.
    static let functions = #"""

        # unsafe PATH [UID]: why root must not act on PATH, or nothing. Every directory above PATH
        # must be root's and writable by nobody else, except a sticky one (such as /tmp), where only
        # an entry's owner can replace it; PATH itself, when it exists, must be root's or UID's and
        # no symbolic link. A link above PATH is followed only when it is root's.
        unsafe() {
          walked=
          rest=${1#/}
          while [ -n "$rest" ]; do
            part=${rest%%/*}
            case $rest in
              */*) rest=${rest#*/} ;;
              *) rest= ;;
            esac
            [ -n "$part" ] || continue
            walked=$walked/$part
            [ -e "$walked" ] || [ -L "$walked" ] || return 0
            info=$(state "$walked")
            mode=${info%% *}
            uid=${info#* }
            uid=${uid%% *}
            if [ -L "$walked" ]; then
              [ -n "$rest" ] || { echo "$walked is a symbolic link"; return 0; }
              [ "$uid" = 0 ] || { echo "$walked is a symbolic link of uid $uid"; return 0; }
              # Walk again from / along where the link leads, so that every directory there is checked too.
              target=$(cd "$walked" 2>/dev/null && pwd -P) || { echo "$walked leads nowhere"; return 0; }
              rest=${target#/}/$rest
              walked=
              continue
            fi
            if [ "$uid" != 0 ] && { [ -n "$rest" ] || [ "$uid" != "${2-}" ]; }; then
              echo "$walked belongs to uid $uid"
              return 0
            fi
            if [ -n "$rest" ]; then
              case $mode in
                ?????????[tT]) ;;
                ?????w???? | ????????w?)
                  echo "$walked can be changed by others (mode $mode)"
                  return 0
                  ;;
              esac
            fi
          done
        }

        # guarded PATH [UID]: true when root may act on PATH; otherwise a problem that names why.
        guarded() {
          why=$(unsafe "$1" "${2-}")
          [ -n "$why" ] || return 0
          problem "left $1 alone: $why"
          return 1
        }

        # This output is what root installs: nobody else may be able to change any of it (the log
        # directories are the log user's, and setup reads nothing there).
        trust_output() {
          why=$(unsafe "$here")
          if [ -z "$why" ]; then
            why=$(find "$here" -path '*/log/main' -prune -o \
              \( ! -user 0 -o ! -type l \( -perm -020 -o -perm -002 \) \) -print | head -n 1)
            [ -z "$why" ] || why="$why can be changed by others"
          fi
          if [ -n "$why" ]; then
            echo "setup: refusing to run from $here: $why; build into a directory only root can change" >&2
            exit 1
          fi
        }

        """#
}
