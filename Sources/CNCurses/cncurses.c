#define _XOPEN_SOURCE_EXTENDED 1
#define NCURSES_WIDECHAR 1
#include <ncursesw/curses.h>
#include <locale.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>
#include "cncurses.h"

const int SB_KEY_UP = KEY_UP, SB_KEY_DOWN = KEY_DOWN, SB_KEY_LEFT = KEY_LEFT, SB_KEY_RIGHT = KEY_RIGHT,
    SB_KEY_HOME = KEY_HOME, SB_KEY_END = KEY_END, SB_KEY_PPAGE = KEY_PPAGE, SB_KEY_NPAGE = KEY_NPAGE,
    SB_KEY_DC = KEY_DC, SB_KEY_IC = KEY_IC, SB_KEY_BACKSPACE = KEY_BACKSPACE, SB_KEY_ENTER = KEY_ENTER,
    SB_KEY_BTAB = KEY_BTAB, SB_KEY_RESIZE = KEY_RESIZE, SB_KEY_MOUSE = KEY_MOUSE, SB_KEY_F0 = KEY_F0,
    SB_KEY_SLEFT = KEY_SLEFT, SB_KEY_SRIGHT = KEY_SRIGHT;

int sb_key_named(const char *name) {
    int code = key_defined(name);
    return code > 0 ? code : 0;
}
const unsigned long SB_BUTTON1_PRESSED = BUTTON1_PRESSED, SB_BUTTON1_RELEASED = BUTTON1_RELEASED,
    SB_BUTTON1_CLICKED = BUTTON1_CLICKED, SB_BUTTON4_PRESSED = BUTTON4_PRESSED, SB_BUTTON5_PRESSED = BUTTON5_PRESSED,
    SB_REPORT_MOUSE_POSITION = REPORT_MOUSE_POSITION;

static volatile sig_atomic_t started = 0;

int sb_start(void) {
    setlocale(LC_ALL, "");
    if (initscr() == NULL) return -1;
    started = 1;
    raw();
    noecho();
    nonl();
    keypad(stdscr, TRUE);
    meta(stdscr, TRUE);
    set_escdelay(25);
    mousemask(ALL_MOUSE_EVENTS | REPORT_MOUSE_POSITION, NULL);
    mouseinterval(0);
    int colors = 0;
    if (has_colors()) {
        start_color();
        use_default_colors();
        colors = COLORS;
    }
    return colors;
}

void sb_stop(void) {
    if (!started) return;
    started = 0;
    endwin();
}

int sb_is_started(void) { return started; }
int sb_width(void) { return COLS; }
int sb_height(void) { return LINES; }

int sb_pair(int foreground, int background) {
    if (foreground < 0 && background < 0) return 0;
    int pair = alloc_pair(foreground, background);
    return pair < 0 ? 0 : pair;
}

int sb_put(int y, int x, const wchar_t *grapheme, int length, int attributes, int pair) {
    wchar_t text[CCHARW_MAX + 1];
    int n = length < CCHARW_MAX ? length : CCHARW_MAX;
    memcpy(text, grapheme, sizeof(wchar_t) * (size_t)n);
    text[n] = 0;
    attr_t attr = A_NORMAL;
    if (attributes & SB_BOLD) attr |= A_BOLD;
    if (attributes & SB_DIM) attr |= A_DIM;
    if (attributes & SB_ITALIC) attr |= A_ITALIC;
    if (attributes & SB_UNDERLINE) attr |= A_UNDERLINE;
    if (attributes & SB_REVERSE) attr |= A_REVERSE;
    cchar_t cell;
    int opts = pair;
    if (setcchar(&cell, text, attr, (short)(pair > 32767 ? 0 : pair), &opts) != OK) return ERR;
    return mvadd_wch(y, x, &cell);
}

void sb_cursor(int y, int x, int visible) {
    curs_set(visible ? 1 : 0);
    if (visible) move(y, x);
}

void sb_refresh(void) { refresh(); }
void sb_clear(void) { clearok(stdscr, TRUE); }

int sb_read(int timeout_ms, unsigned int *value) {
    timeout(timeout_ms);
    wint_t ch;
    int result = get_wch(&ch);
    if (result == ERR) return SB_NONE;
    *value = (unsigned int)ch;
    return result == KEY_CODE_YES ? SB_KEYCODE : SB_CHAR;
}

int sb_mouse(int *x, int *y, unsigned long *buttons) {
    MEVENT event;
    if (getmouse(&event) != OK) return -1;
    *x = event.x;
    *y = event.y;
    *buttons = (unsigned long)event.bstate;
    return 0;
}

void sb_write_raw(const char *bytes) {
    // Straight to the terminal, past curses' buffer: these sequences do not draw cells.
    size_t length = strlen(bytes);
    while (length > 0) {
        ssize_t written = write(STDOUT_FILENO, bytes, length);
        if (written <= 0) return;
        bytes += written;
        length -= (size_t)written;
    }
}

/* What each fatal signal did before: Swift's backtracer, which the runtime installs at start. */
static struct sigaction previous_actions[NSIG];
/* A line for the user, written once the terminal is restored, and where to (their terminal). */
static char crash_note[2048];
static int crash_note_fd = -1;

void sb_set_crash_note(int fd, const char *note) {
    crash_note_fd = fd;
    strncpy(crash_note, note ? note : "", sizeof crash_note - 1);
    crash_note[sizeof crash_note - 1] = 0;
}

/* Restores the terminal, says where the report goes, then hands the signal, with its own
   information and context, to what was there before (Swift's backtracer, so the trap leaves a
   symbolicated backtrace); without one, the default action ends the program. */
static void crash(int signal_number, siginfo_t *info, void *context) {
    if (started) {
        started = 0;
        endwin();
        sb_write_raw("\033[?2004l\033[?1004l\033[?1000l\033[?1006l");
    }
    if (crash_note_fd >= 0 && crash_note[0]) {
        const char *bytes = crash_note;
        size_t length = strlen(bytes);
        while (length > 0) {
            ssize_t written = write(crash_note_fd, bytes, length);
            if (written <= 0) break;
            bytes += written;
            length -= (size_t)written;
        }
    }
    struct sigaction before = previous_actions[signal_number];
    sigaction(signal_number, &before, NULL);
    if ((before.sa_flags & SA_SIGINFO) && before.sa_sigaction) {
        before.sa_sigaction(signal_number, info, context);
    } else if (before.sa_handler != SIG_DFL && before.sa_handler != SIG_IGN && before.sa_handler != NULL) {
        before.sa_handler(signal_number);
    }
    signal(signal_number, SIG_DFL);
    raise(signal_number);
}

void sb_install_crash_handlers(void) {
    int signals[] = {SIGSEGV, SIGBUS, SIGILL, SIGFPE, SIGABRT, SIGTRAP};
    for (size_t i = 0; i < sizeof signals / sizeof signals[0]; i++) {
        struct sigaction mine;
        memset(&mine, 0, sizeof mine);
        mine.sa_sigaction = crash;
        /* On the alternate stack the runtime set up, if any: a stack overflow must still be reported. */
        mine.sa_flags = SA_SIGINFO | SA_ONSTACK;
        sigemptyset(&mine.sa_mask);
        sigaction(signals[i], &mine, &previous_actions[signals[i]]);
    }
}
