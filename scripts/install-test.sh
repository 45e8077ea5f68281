#!/usr/bin/env bash
# Installs into a scratch DESTDIR and checks what a user would: the files,
# exactly the 28 API symbols, the SONAME, pkg-config, a C and a C++
# program built against the installed headers and library, and uninstall.
set -u
dest=$(mktemp -d)
trap 'rm -rf "$dest"' EXIT
prefix=/opt/zmq22
pass=0 fail=0
check() { if eval "$2" >/dev/null 2>&1; then pass=$((pass + 1)); echo "ok   $1"; else fail=$((fail + 1)); echo "FAIL $1"; fi; }
make -s install PREFIX=$prefix DESTDIR="$dest" >/dev/null
root=$dest$prefix
for f in lib/libzmq.so.1 lib/libzmq.so lib/libzmq.a include/zmq.h include/zmq_utils.h include/zmq.hpp lib/pkgconfig/libzmq.pc; do
    check "installed $f" "test -e $root/$f"
done
check "installed example sources and perf tools" "test -e $root/share/libzmq/examples/hwserver.c && test -x $root/share/libzmq/perf/local_thr"
check "installed man pages" "test -e $root/share/man/man3/zmq_bind.3 && test -e $root/share/man/man7/zmq.7"
check "28 exported symbols" "[ \$(nm -D --defined-only $root/lib/libzmq.so.1 | grep -c ' T zmq_') = 28 ] && [ \$(nm -D --defined-only $root/lib/libzmq.so.1 | grep -vc ' T zmq_') = 0 ]"
check "SONAME libzmq.so.1" "readelf -d $root/lib/libzmq.so.1 | grep -q 'SONAME.*\\[libzmq.so.1\\]'"
check "pkg-config version 2.2.x" "sed 's|^prefix=.*|prefix=$root|' $root/lib/pkgconfig/libzmq.pc > $dest/libzmq.pc && PKG_CONFIG_PATH=$dest pkg-config --modversion libzmq | grep -q '^2\\.2\\.'"
cat > "$dest/hello.c" <<'C'
#include <zmq.h>
#include <string.h>
int main (void) {
    void *ctx = zmq_init (1), *a = zmq_socket (ctx, ZMQ_PAIR), *b = zmq_socket (ctx, ZMQ_PAIR);
    zmq_msg_t m;
    if (zmq_bind (a, "inproc://x") || zmq_connect (b, "inproc://x")) return 1;
    zmq_msg_init_size (&m, 5); memcpy (zmq_msg_data (&m), "hello", 5);
    if (zmq_send (b, &m, 0)) return 2;
    zmq_msg_close (&m); zmq_msg_init (&m);
    if (zmq_recv (a, &m, 0) || zmq_msg_size (&m) != 5) return 3;
    zmq_msg_close (&m); zmq_close (a); zmq_close (b);
    return zmq_term (ctx);
}
C
cat > "$dest/hello.cpp" <<'C'
#include <zmq.hpp>
#include <cstring>
int main () {
    zmq::context_t ctx (1);
    zmq::socket_t a (ctx, ZMQ_PAIR), b (ctx, ZMQ_PAIR);
    a.bind ("inproc://x"); b.connect ("inproc://x");
    zmq::message_t out (5); std::memcpy (out.data (), "hello", 5); b.send (out);
    zmq::message_t in; a.recv (&in);
    return in.size () == 5 ? 0 : 1;
}
C
flags="$(sed "s|^prefix=.*|prefix=$root|" $root/lib/pkgconfig/libzmq.pc > $dest/libzmq.pc; PKG_CONFIG_PATH=$dest pkg-config --cflags --libs libzmq)"
check "C program via pkg-config" "cc -Wall -Werror -o $dest/hello $dest/hello.c $flags && LD_LIBRARY_PATH=$root/lib $dest/hello"
check "C++ program with zmq.hpp" "c++ -Wall -Werror -o $dest/hellopp $dest/hello.cpp $flags && LD_LIBRARY_PATH=$root/lib $dest/hellopp"
check "ldd resolves the installed library" "LD_LIBRARY_PATH=$root/lib ldd $dest/hello | grep -q '$root/lib/libzmq.so.1'"
make -s uninstall PREFIX=$prefix DESTDIR="$dest" >/dev/null
check "uninstall removes the files" "[ -z \"\$(find $root -type f -o -type l)\" ]"
echo "install: $pass passed, $fail failed"
[ "$fail" -eq 0 ]
