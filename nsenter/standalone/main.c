// The standalone C stage: nsenter's C files linked into an executable of
// their own, with musl and no Go runtime (see libcontainer/exeguard). All
// of its work is done by berth_nsenter, the constructor, which either
// execs the container's process or exits; main runs only when the
// program was started by hand, without the runtime's sync socket.
#include <string.h>
#include <unistd.h>

int main(void)
{
	static const char msg[] =
		"berth-stage: this is the namespace stage of berth's containers; only berth starts it\n";
	ssize_t n = write(2, msg, strlen(msg));
	(void)n;
	return 2;
}
