#include "stop_signals.h"

#include <errno.h>
#include <pthread.h>
#include <time.h>

void stop_signals_block(sigset_t *set)
{
	signal(SIGINT, SIG_DFL);
	signal(SIGTERM, SIG_DFL);
	signal(SIGPIPE, SIG_IGN);
	sigemptyset(set);
	sigaddset(set, SIGTERM);
	sigaddset(set, SIGINT);
	pthread_sigmask(SIG_BLOCK, set, NULL);
}

int stop_signals_wait(const sigset_t *set, long timeout_ms)
{
	struct timespec t = { timeout_ms / 1000, (timeout_ms % 1000) * 1000000L };
	int sig;

	do {
		sig = timeout_ms < 0 ? sigwaitinfo(set, NULL) : sigtimedwait(set, NULL, &t);
	} while (sig < 0 && errno == EINTR);
	return sig == SIGTERM || sig == SIGINT ? sig : 0;
}

const char *stop_signals_name(int sig)
{
	return sig == SIGINT ? "SIGINT" : "SIGTERM";
}
