/// setup's part on a Redis host: the window's ACL users, each with the SHA-256 of its password
/// file, merged into the file Redis reads its users from and set in the running server.
enum SetupRedisUsers {
    static func lines(_ users: RedisUsers, managed: [String]) -> String {
        let word = ShellQuoting.word
        var text = "\n# Redis users of window '\(users.window)' (Redis runs on this host), each with its password "
        text += "file's SHA-256:\n# where \(users.config) has Redis read its users from, and in the running server.\n"
        // A file the tools of this host read is set up above for its account; the others are root's.
        for user in users.users where !managed.contains(user.passwordFile) {
            text += "password_file \(word(user.passwordFile)) 0\n"
        }
        if let admin = users.admin { text += "password_file \(word(admin.passwordFile)) 0\n" }
        text += "redis_begin \(word(users.config)) \(word(users.setuidgid))\n"
        for user in users.users {
            text += "redis_user \(word(user.name)) \(word(user.passwordFile)) \(word(user.rules))\n"
        }
        text += "redis_end \(word(users.admin?.name ?? "")) \(word(users.admin?.passwordFile ?? "")) "
        text += users.clientArguments.map(word).joined(separator: " ") + "\n"
        return text
    }

    static let functions = #"""

        # Redis's users, set by redis_begin CONF SETUIDGID, redis_user NAME FILE RULES (each user)
        # and redis_end ADMIN ADMINFILE WHERE...: the lines go into the file Redis reads its users
        # from when it starts (CONF's aclfile, else CONF itself: whichever the administrator uses),
        # in place of earlier lines of the same users and beside every other line, then into the
        # running server with ACL SETUSER. Where another account owns one of those files' directory
        # (Debian's /etc/redis is the redis account's), setup reads and writes there as that account:
        # root never follows a link it could plant.

        \#(RedisPasswordShell.functions)
        # redis_as DIR COMMAND...: COMMAND as the account that owns DIR (root's: as root), or as
        # redis_actor when set: the account that owns redis.conf or its directory, which could
        # have written there any aclfile path at all (/etc/shadow): its files, read and written as
        # that account, never steer root.
        redis_as() {
          owner=$(state "$1" | cut -d' ' -f2)
          dir=$1
          shift
          if [ -n "${redis_actor-}" ]; then
            "$redis_setuidgid" "$redis_actor" "$@"
          elif [ "$owner" = 0 ]; then
            "$@"
          else
            # shellcheck disable=SC2012 # the owner's name, as ls shows it
            "$redis_setuidgid" "$(ls -ld "$dir" | awk '{ print $3 }')" "$@"
          fi
        }

        # owner_name PATH: the name of PATH's owner when it is not root, else nothing.
        owner_name() {
          # shellcheck disable=SC2012 # the owner's name, as ls shows it
          [ "$(state "$1" | cut -d' ' -f2)" = 0 ] || ls -ld "$1" | awk '{ print $3 }'
        }

        # redis_file PATH: PATH's directory may be used (root's, or one account's under root's).
        redis_file() {
          dir=$(dirname "$1")
          if [ ! -d "$dir" ]; then
            problem "no directory $dir for $1"
            return 1
          fi
          guarded "$dir" "$(state "$dir" | cut -d' ' -f2)" || return 1
          if [ "$(state "$dir" | cut -d' ' -f2)" = 0 ] && [ -L "$1" ]; then
            problem "left $1 alone: it is a symbolic link"
            return 1
          fi
        }

        redis_begin() {
          redis_conf=$root$1
          redis_setuidgid=$2
          redis_lines=
          redis_names=
          redis_ok=1
          redis_actor=
          redis_file "$redis_conf" || { redis_ok= && return 0; }
          redis_actor=$(owner_name "$(dirname "$redis_conf")")
          [ -e "$redis_conf" ] && [ -z "$redis_actor" ] && redis_actor=$(owner_name "$redis_conf")
          if ! redis_as "$(dirname "$redis_conf")" test -f "$redis_conf"; then
            problem "no $redis_conf: name this host's redis.conf in the spec (redis: {config: PATH})"
            redis_ok=
            return 0
          fi
          # The last aclfile line counts, as when Redis reads the file.
          redis_acl=$(redis_as "$(dirname "$redis_conf")" cat "$redis_conf" |
            sed -n 's/^[[:space:]]*aclfile[[:space:]][[:space:]]*//p' | tail -n 1 | sed 's/[[:space:]]*$//')
          redis_acl=${redis_acl#\"}
          redis_acl=${redis_acl%\"}
          case $redis_acl in
            '') redis_acl=$redis_conf ;;
            /*) redis_acl=$root$redis_acl ;;
            *)
              problem "$redis_conf names aclfile $redis_acl, not an absolute path"
              redis_ok=
              ;;
          esac
        }

        redis_user() {
          [ -n "$redis_ok" ] || return 0
          file=$root$2
          if [ ! -f "$file" ] || [ -L "$file" ]; then
            redis_ok=
            return 0
          fi
          if ! hash=$(redis_hash "$file"); then
            problem "$file holds no password of 1 to 1024 bytes on its first line"
            redis_ok=
            return 0
          fi
          redis_names="$redis_names $1"
          redis_lines="${redis_lines}user $1 on #$hash $3
        "
        }

        # redis_cli ARGS...: redis-cli (or valkey-cli) as the admin user, or as Redis's default user.
        redis_cli() {
          if [ -n "$redis_admin" ]; then
            REDISCLI_AUTH=$redis_pass VALKEYCLI_AUTH=$redis_pass "$redis_client" --user "$redis_admin" "$@"
          else
            "$redis_client" "$@"
          fi
        }

        redis_end() {
          [ -n "$redis_ok" ] || return 0
          redis_admin=$1
          redis_pass=
          if [ -n "$1" ]; then
            [ -f "$root$2" ] && [ ! -L "$root$2" ] || return 0
            redis_pass=$(head -n 1 "$root$2")
            redis_pass=${redis_pass%"$(printf '\r')"}
          fi
          shift 2
          redis_file "$redis_acl" || return 0
          acl_dir=$(dirname "$redis_acl")
          work=$(mktemp -d)
          if redis_as "$acl_dir" test -e "$redis_acl"; then
            redis_as "$acl_dir" cat "$redis_acl" >"$work/old" || {
              problem "cannot read $redis_acl"
              rm -rf "$work"
              return 0
            }
          else
            : >"$work/old"
          fi
          # Every line but those of our users, byte for byte, then ours.
          awk -v names="$redis_names" 'BEGIN { n = split(names, list, " "); for (i = 1; i <= n; i++) ours[list[i]] = 1 }
            !($1 == "user" && ($2 in ours)) { print }' "$work/old" >"$work/new"
          printf '%s' "$redis_lines" >>"$work/new"
          changed=
          if ! cmp -s "$work/old" "$work/new"; then
            changed=1
            # shellcheck disable=SC2016 # expanded by the inner shell
            act "write Redis users$redis_names into $redis_acl (each with its password's SHA-256)" \
              redis_as "$acl_dir" sh -c 'umask 027; rm -f "$1.relaychain-new"; if [ -f "$1" ]; then
                cp -p "$1" "$1.relaychain-new"; fi; cat >"$1.relaychain-new" && mv -f "$1.relaychain-new" "$1"' \
              sh "$redis_acl" <"$work/new"
          fi
          rm -rf "$work"
          redis_client=$(command -v redis-cli || command -v valkey-cli || true)
          if [ -z "$redis_client" ]; then
            problem "no redis-cli or valkey-cli here: setup sets the users in the running Redis with it"
            return 0
          fi
          reply=$(redis_cli "$@" PING 2>&1 || true)
          case $reply in
            PONG) ;;
            *"onnect"* | *"refused"* | *"No such file"*)
              notes="$notes
        Redis ($*) is not running: it reads its users from $redis_acl when it starts"
              return 0
              ;;
            *)
              problem "Redis ($*) refused setup (${reply%%
        *}): name a Redis user who may run ACL SETUSER (redis: {admin: NAME}), its password in NAME.password"
              return 0
              ;;
          esac
          if [ -z "$redis_admin" ]; then
            notes="$notes
        warning: Redis's default user needs no password: every account on this host can write grants, a relay for \
        any address; give it a password, or turn it off beside a user of yours and name that one (redis: {admin: NAME})"
          fi
          set -f
          while read -r _ name _ hash rules; do
            [ -n "$name" ] || continue
            if [ -z "$changed" ] && redis_cli "$@" ACL GETUSER "$name" 2>/dev/null | grep -qx "${hash#?}"; then
              continue
            fi
            # shellcheck disable=SC2086 # the rules are words of their own
            act "set Redis user $name in the running server (ACL SETUSER)" redis_setuser "$name" "$hash" $rules -- "$@"
          done <<EOF
        $redis_lines
        EOF
          set +f
        }

        # redis_setuser NAME #HASH RULES... -- WHERE...
        redis_setuser() {
          name=$1
          hash=$2
          shift 2
          rules=
          while [ "$1" != "--" ]; do
            rules="$rules $1"
            shift
          done
          shift
          # shellcheck disable=SC2086 # the rules are words of their own
          reply=$(redis_cli "$@" ACL SETUSER "$name" reset on "$hash" $rules 2>&1)
          [ "$reply" = OK ] || problem "ACL SETUSER $name: $reply"
        }

        """#
}
