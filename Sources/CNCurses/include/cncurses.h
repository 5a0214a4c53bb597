// The C side of the ncurses back end: the handful of calls CursesTerminal makes, as plain
// functions (ncurses has many macros Swift cannot call), and the crash-signal handler.
#ifndef CNCURSES_H
#define CNCURSES_H

#include <wchar.h>

// Attribute bits as CursesTerminal passes them.
enum { SB_BOLD = 1, SB_DIM = 2, SB_ITALIC = 4, SB_UNDERLINE = 8, SB_REVERSE = 16 };

// What sb_read found.
enum { SB_NONE = 0, SB_CHAR = 1, SB_KEYCODE = 2 };

// Key codes Swift needs (ncurses defines them as macros with octal values).
extern const int SB_KEY_UP, SB_KEY_DOWN, SB_KEY_LEFT, SB_KEY_RIGHT, SB_KEY_HOME, SB_KEY_END, SB_KEY_PPAGE,
    SB_KEY_NPAGE, SB_KEY_DC, SB_KEY_IC, SB_KEY_BACKSPACE, SB_KEY_ENTER, SB_KEY_BTAB, SB_KEY_RESIZE, SB_KEY_MOUSE,
    SB_KEY_F0, SB_KEY_SLEFT, SB_KEY_SRIGHT;
// The code of a key by its terminfo name (e.g. "kLFT5", Ctrl-Left), 0 if the terminal has none.
int sb_key_named(const char *name);

// Starts curses on the terminal; returns the number of colours (0: none).
int sb_start(void);
void sb_stop(void);
int sb_is_started(void);
int sb_width(void);
int sb_height(void);
// A colour pair for these colours (-1: the terminal's default), allocated on first use.
int sb_pair(int foreground, int background);
// One grapheme (up to 8 code points) at (y, x).
int sb_put(int y, int x, const wchar_t *grapheme, int length, int attributes, int pair);
void sb_cursor(int y, int x, int visible);
void sb_refresh(void);
void sb_clear(void);
// Waits up to timeout_ms for input; *value is the character or key code.
int sb_read(int timeout_ms, unsigned int *value);
// The mouse event behind SB_KEY_MOUSE: position and button state; 0 on success.
int sb_mouse(int *x, int *y, unsigned long *buttons);
// Button-state bits.
extern const unsigned long SB_BUTTON1_PRESSED, SB_BUTTON1_RELEASED, SB_BUTTON1_CLICKED, SB_BUTTON4_PRESSED,
    SB_BUTTON5_PRESSED, SB_REPORT_MOUSE_POSITION;
// Bytes straight to the terminal (bracketed paste on/off, desktop notifications, the bell).
void sb_write_raw(const char *bytes);
// On SIGSEGV, SIGBUS, SIGILL, SIGFPE, SIGABRT and SIGTRAP: give the terminal back, write the
// crash note (below), then hand the signal to the handler that was there before — Swift's
// backtracer — so the trap still leaves its backtrace.
void sb_install_crash_handlers(void);
// The line written to `fd` when a fatal signal arrives, once the terminal is restored.
void sb_set_crash_note(int fd, const char *note);

#endif
