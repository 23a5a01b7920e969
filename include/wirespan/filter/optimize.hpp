// wirespan/filter/optimize.hpp — a peephole optimizer for classic BPF programs.
//
// `optimize(prog)` returns a shorter program with the same verdict as `prog` on every
// packet, whole or cut short, and every wire length. It works on any program that passes
// `validate(prog, validation::userland)` (anything else comes back unchanged):
//
// - values are numbered: two loads of the same bytes, the same constant folded through
//   the same arithmetic, are one value wherever they occur;
// - what each path has learnt is carried along it: the outcome of every test taken, and
//   which loads have been done (and so are within the captured bytes);
// - a jump whose outcome the path already knows goes straight to where that outcome
//   leads, past the loads and tests in between when those loads were done before on
//   every path to it (jump threading: `ip and ip6` never loads the EtherType twice, and
//   is found to reject every packet);
// - a load that leaves A (or X) as it was, on every path to it, is dropped (shared
//   loads); so are instructions no path reaches and jumps to the next instruction.
//
// Nothing is reordered, and a load that could fail is removed only where every way on
// from it returns 0 anyway (that code becomes `ret #0`), so a frame cut inside a header
// gets the verdict it gets from the original program. (libpcap's optimizer also reorders
// tests and drops unused loads, which can change the verdict on such frames.)
//
// ```cpp
// auto prog = wirespan::filter::optimize(unoptimized);
// bool never = wirespan::filter::rejects_all(prog);
// ```
#pragma once

#include <array>
#include <cstddef>
#include <cstdint>
#include <span>
#include <utility>
#include <vector>

#include "bpf.hpp"
#include "validate.hpp"

namespace wirespan::filter {

namespace detail::opt {

// A numbered value.
enum class vop : std::uint8_t { konst, load, load_ind, msh, length, alu_k, alu_x, negate, fresh };
struct vnode {
  vop op;
  std::uint16_t code;  // load size / ALU operation
  std::int32_t a;      // operand values
  std::int32_t b;
  std::uint32_t k;
  friend constexpr bool operator==(const vnode&, const vnode&) noexcept = default;
};

struct fact {
  std::int32_t v;
  std::uint32_t k;
  std::uint16_t op;  // jeq, jgt, jge, jset
  bool outcome;
  friend constexpr bool operator==(const fact&, const fact&) noexcept = default;
};

// A list of at most N values, in place (the optimizer copies states often: a copy
// copies the values in the list, not the room for N).
template <class T, std::size_t N>
struct inline_list {
  T items[N];  // (only the first `count` are ever read)
  std::size_t count = 0;
  constexpr inline_list() noexcept {}
  constexpr inline_list(const inline_list& o) noexcept : count(o.count) {
    for (std::size_t i = 0; i < count; ++i) items[i] = o.items[i];
  }
  constexpr inline_list& operator=(const inline_list& o) noexcept {
    count = o.count;
    for (std::size_t i = 0; i < count; ++i) items[i] = o.items[i];
    return *this;
  }
  constexpr std::size_t size() const noexcept { return count; }
  constexpr const T* begin() const noexcept { return items; }
  constexpr const T* end() const noexcept { return items + count; }
  constexpr const T& operator[](std::size_t i) const noexcept { return items[i]; }
  constexpr void erase_at(std::size_t i) noexcept {
    for (std::size_t j = i; j + 1 < count; ++j) items[j] = items[j + 1];
    --count;
  }
  // Append; when full, the oldest goes.
  constexpr void push(const T& v) noexcept {
    if (count == N) erase_at(0);
    items[count++] = v;
  }
};

// The same items in the same order.
template <class T, std::size_t N>
constexpr bool same(const inline_list<T, N>& x, const inline_list<T, N>& y) noexcept {
  if (x.count != y.count) return false;
  for (std::size_t i = 0; i < x.count; ++i) {
    if (!(x.items[i] == y.items[i])) return false;
  }
  return true;
}

inline constexpr std::size_t max_facts = 48;

struct state {
  // (nothing is written: a vector of states is made once, and a state is only read after
  // one is copied to it; start() is the one at the program's start)
  constexpr state() noexcept {}
  std::int32_t A;  // value numbers (-1: unknown)
  std::int32_t X;
  std::int32_t M[memory_words];
  inline_list<fact, max_facts> facts;           // outcomes known on every path here
  inline_list<std::int32_t, max_facts> loaded;  // loads known to be within the captured bytes
  static constexpr state start(std::int32_t zero) noexcept {
    state s;
    s.A = s.X = zero;
    for (std::int32_t& m : s.M) m = -1;
    return s;
  }
};


constexpr std::uint32_t fold(std::uint16_t op, std::uint32_t l, std::uint32_t r, bool& ok) noexcept {
  ok = true;
  switch (op) {
    case add: return l + r;
    case sub: return l - r;
    case mul: return l * r;
    case div_: if (r == 0) break; return l / r;
    case mod: if (r == 0) break; return l % r;
    case or_: return l | r;
    case and_: return l & r;
    case xor_: return l ^ r;
    case lsh: return r < 32 ? l << r : 0;
    case rsh: return r < 32 ? l >> r : 0;
    default: break;
  }
  ok = false;
  return 0;
}

constexpr bool test(std::uint16_t op, std::uint32_t v, std::uint32_t k) noexcept {
  switch (op) {
    case jeq: return v == k;
    case jgt: return v > k;
    case jge: return v >= k;
    default: return (v & k) != 0;
  }
}

// What an opcode does to liveness (bit 0: A, bit 1: X): a straight-line instruction
// needs `use` and sets `kill`; a return needs `use` only; a jump needs what its targets
// do, and a conditional one `use` too.
struct live_rule {
  enum kind_t : std::uint8_t { straight, ends, always, conditional };
  std::uint8_t use = 0;
  std::uint8_t kill = 0;
  kind_t kind = straight;
};
struct live_table {
  live_rule rule[256];  // (by the opcode's low byte)
};
constexpr live_table make_live_rules() noexcept {
  live_table t{};
  for (std::size_t c = 0; c < 256; ++c) {
    const auto code = static_cast<std::uint16_t>(c);
    live_rule& u = t.rule[c];
    switch (class_of(code)) {
      case ret: u.kind = live_rule::ends, u.use = rval_of(code) == a ? 1 : 0; break;
      case ld: u.kill = 1, u.use = mode_of(code) == ind ? 2 : 0; break;
      case ldx: u.kill = 2; break;
      case st: u.use = 1; break;
      case stx: u.use = 2; break;
      case alu: u.use = source_of(code) == x && op_of(code) != neg ? 3 : 1; break;
      case misc:
        if (miscop_of(code) == tax) u.kill = 2, u.use = 1;
        else u.kill = 1, u.use = 2;
        break;
      default:  // jumps
        if (code == (jmp | ja)) u.kind = live_rule::always;
        else u.kind = live_rule::conditional, u.use = source_of(code) == x ? 3 : 1;
    }
  }
  return t;
}
inline constexpr live_table live_rules = make_live_rules();

class optimizer {
 public:
  // `families`: per instruction, the family of its packet load; loads of the same bytes
  // in different families are different values. (The compiler puts the loads of a
  // relation's packet accessors in family 1 and all others in 0: libpcap's optimizer does
  // not see that `ether[12:2] = 0x86dd` and `arp` test the same field, since it loads the
  // first with an index, and to find the same "rejects all packets" cases as it, this
  // one must not either.) Empty: all 0.
  constexpr optimizer(std::vector<instruction> p, std::vector<std::uint8_t> families)
      : p_(std::move(p)), family_(std::move(families)) {
    const std::size_t n = p_.size();
    family_.resize(n, 0);
    // The per-instruction tables: one allocation for the words and one for the bytes,
    // made for the program as it comes (a pass only shortens it).
    const std::size_t room = merge_room(n);  // (the most merge() uses)
    // (assign, not resize: clang 14 cannot resize() these in a constant expression)
    words_.assign(6 * (n + 1) + room, 0);
    bytes_.assign(5 * (n + 1), 0);
    // (pointers, not spans, into them: in a constant expression, as in a static_filter,
    // each span or vector subscript is a call that counts against the compiler's limit)
    std::int32_t* w = words_.data();
    for (std::int32_t** t : {&jt_, &jf_, &at_, &cls_, &last_, &loadv_}) {
      *t = w;
      w += n + 1;
    }
    table_ = w;
    std::uint8_t* b = bytes_.data();
    for (std::uint8_t** t : {&barrier_, &zero_, &seen_, &drop_, &live_}) {
      *t = b;
      b += n + 1;
    }
    // (room for the values a pass or two numbers: growing the tables is most of their cost)
    values_.reserve(2 * n + 32);
    konst_.reserve(2 * n + 32);
    edges();  // (then kept as the program changes: see pass())
  }
  optimizer(const optimizer&) = delete;  // (the tables point into words_ and bytes_)
  optimizer& operator=(const optimizer&) = delete;

  // One pass; false when nothing changed.
  constexpr bool pass() {
    instruction* const P = p_.data();  // (see the constructor: pointers)
    const std::size_t n = p_.size();
    // (the per-pass tables are made once: see the constructor)
    std::int32_t* const jt = jt_;  // absolute targets
    std::int32_t* const jf = jf_;
    bool changed = true;
    // Only what another() merged is new: edges moved to equal code, which changes
    // nothing a pass would find but which code is reached (see another()).
    bool light = ahead_ == ahead::merged;
    if (ahead_ == ahead::merged) {  // (another() found and made this pass's merge)
    } else if (ahead_ == ahead::checked) {  // (another() found nothing to merge)
      changed = false;
    } else {
      // (first: what the pass learns below holds for the edges as they are then)
      changed = merge(jt, jf);
    }
    fill(loadv_, n, -2);
    again_ = false;
    // Code from which every way ends in `ret #0` is `ret #0`: a load that fails, or a
    // division by zero, also ends with 0. (Not through a jump decided by a constant,
    // which libpcap leaves as it is.)
    const bool zeroed = zero_code(true);
    if (zeroed) changed = true, light = false;
    // (another() found which registers are needed where; moving edges to code that
    // behaves alike does not change it)
    if (zeroed || ahead_ == ahead::none) liveness();
    ahead_ = ahead::none;
    // `and #m; jeq #0` with A not needed after: `jset #m` the other way round.
    for (std::size_t i = 0; i + 1 < n; ++i) {
      if (!jset_fits(i)) continue;
      const instruction& a1 = P[i];
      P[i] = instruction{jmp | jset | k, 0, 0, a1.k};
      jt[i] = jf[i + 1];
      jf[i] = jt[i + 1];
      P[i].jt = static_cast<std::uint8_t>(jt[i] - static_cast<std::int32_t>(i) - 1);
      P[i].jf = static_cast<std::uint8_t>(jf[i] - static_cast<std::int32_t>(i) - 1);
      changed = true;
      light = false;
      liveness();
    }
    // (in_ keeps its room from pass to pass: a state is read only where seen is set)
    if (in_.size() < n) in_.resize(n);
    state* const in = in_.data();
    std::uint8_t* const seen = seen_;
    std::uint8_t* const drop = drop_;
    fill(seen, n, 0);
    fill(drop, n, 0);
    seen[0] = true;
    in[0] = state::start(number({vop::konst, 0, -1, -1, 0}));
    // What is known on arrival at i + 1 is kept in cur_ rather than in in[i + 1] when the
    // only way there is from i (it is the last way there: edges go forward); the next
    // step works on it there, without copying it.
    pending_ = -1;
    // `s` (what is known at i) arrives at `to`.
    auto go_on = [&](std::size_t i, std::int32_t to, state& s) {
      if (to == static_cast<std::int32_t>(i + 1) && i + 1 < n && !seen[i + 1]) {
        seen[i + 1] = true;
        if (&s != &cur_) cur_ = s;
        pending_ = to;
        return;
      }
      arrive(in, to, s);
    };
    if (light) reach();
    for (std::size_t i = 0; i < n && !light; ++i) {
      if (!seen[i]) continue;
      // (in place: every edge goes forward, so nothing reads it after this)
      state& s = pending_ == static_cast<std::int32_t>(i) ? cur_ : in[i];
      const instruction ins = P[i];
      const std::uint16_t cls = class_of(ins.code);
      if (cls == ret) continue;
      if (cls == jmp) {
        if (ins.code == (jmp | ja)) {
          const std::int32_t to = thread(s, jt[i], static_cast<std::int32_t>(i), false);
          if (to != jt[i]) jt[i] = jf[i] = to, changed = true;
          go_on(i, to, s);
          continue;
        }
        const bool on_x = source_of(ins.code) == x;
        int known = on_x ? -1 : decide(s.A, op_of(ins.code), ins.k, s.facts);
        if (on_x) {
          std::uint32_t av = 0, xv = 0;
          if (exact(s.A, av) && exact(s.X, xv)) known = test(op_of(ins.code), av, xv) ? 1 : 0;
        }
        if (known >= 0 || jt[i] == jf[i]) {
          // Decided here: an unconditional jump. (One decided by a constant stays, and no
          // edge skips it, as libpcap leaves such a test in place: see root_rejects.)
          std::uint32_t av = 0, xv = 0;
          const std::int32_t to = known == 0 ? jf[i] : jt[i];
          if (known >= 0 && exact(s.A, av) && (!on_x || exact(s.X, xv)) &&
              class_of(P[static_cast<std::size_t>(to)].code) == ret) {
            barrier_[i] = 1;
          }
          again_ = true;
          P[i] = instruction{jmp | ja, 0, 0, static_cast<std::uint32_t>(to - static_cast<std::int32_t>(i) - 1)};
          jt[i] = jf[i] = thread(s, to, static_cast<std::int32_t>(i), false);
          changed = true;
          go_on(i, jt[i], s);
          continue;
        }
        // `e`: s, or a copy of it, which the outcome is added to; then where it goes.
        auto side = [&](state& e, bool outcome, std::int32_t& target) {
          if (!on_x && e.A >= 0) add_fact(e, fact{e.A, ins.k, op_of(ins.code), outcome});
          const std::int32_t to = thread(e, target, static_cast<std::int32_t>(i), true);
          if (to != target) target = to, changed = true;
          const auto t = static_cast<std::size_t>(target);
          if (&e == &s) go_on(i, target, e);
          else if (t < n && &e == &in[t]) seen[t] = true;  // (made in place: see below)
          else arrive(in, target, e);
        };
        const auto t0 = static_cast<std::size_t>(jt[i]);
        if (t0 < n && !seen[t0]) {
          // (made where it arrives, when nothing has arrived there yet: one copy, not two;
          // if the edge is threaded on, it is a copy like the other)
          state& e = in[t0];
          e = s;
          side(e, true, jt[i]);
        } else {
          state e = s;
          side(e, true, jt[i]);
        }
        side(s, false, jf[i]);  // (the false side takes s itself)
        continue;
      }
      // Straight-line instructions: a load that changes nothing goes.
      if (cls == ld || cls == ldx) {
        const bool into_x = cls == ldx;
        std::int32_t v = mode_of(ins.code) == mem ? (ins.k < memory_words ? s.M[ins.k] : -1)
                                                  : load_value_at(i, s.X, ins, into_x);
        std::int32_t& r = into_x ? s.X : s.A;
        if (v >= 0 && v == r && (!packet_load(ins) || has(s.loaded, v))) {
          drop[i] = true;
          changed = true;
        } else {
          if (v < 0) v = number({vop::fresh, 0, -1, -1, 0});
          else if (packet_load(ins)) add_loaded(s, v);
          r = v;
        }
      } else {
        step(s, ins);
      }
      if (i + 1 < n) go_on(i, static_cast<std::int32_t>(i + 1), s);
    }
    // Code no path reaches goes, and so do jumps to the next kept instruction (backwards:
    // dropping one can make a jump before it one).
    bool dropped = false;
    std::int32_t next_kept = static_cast<std::int32_t>(n);
    for (std::size_t r = n; r-- > 0;) {
      if (!seen[r]) drop[r] = true;
      if (!drop[r] && P[r].code == (jmp | ja) && barrier_[r] == 0 && next_kept >= jt[r]) drop[r] = true, light = false;
      if (drop[r]) dropped = true;
      else next_kept = static_cast<std::int32_t>(r);
    }
    // (a pass that only moved edges to equal code and dropped what is no longer reached
    // leaves nothing new to merge: see another())
    only_merged_ = light;
    if (!changed && !dropped) return false;
    // Compact: an edge to a dropped instruction goes to the next kept one.
    std::int32_t* const at = at_;
    std::int32_t next = 0;
    for (std::size_t i = 0; i < n; ++i) {
      at[i] = next;
      if (!drop[i]) ++next;
    }
    at[n] = next;
    // (in place: an instruction only moves down, to at[i] <= i)
    for (std::size_t i = 0; i < n; ++i) {
      if (drop[i]) continue;
      instruction ins = P[i];
      const std::int32_t self = at[i];
      const auto to = static_cast<std::size_t>(self);
      // (the edges move with it: jt_ and jf_ stay those of the program)
      std::int32_t t = -1, f = -1;
      if (ins.code == (jmp | ja)) {
        t = f = at[static_cast<std::size_t>(jt[i])];
        ins.k = static_cast<std::uint32_t>(t - self - 1);
      } else if (is_conditional_jump(ins.code)) {
        t = at[static_cast<std::size_t>(jt[i])];
        f = at[static_cast<std::size_t>(jf[i])];
        ins.jt = static_cast<std::uint8_t>(t - self - 1);
        ins.jf = static_cast<std::uint8_t>(f - self - 1);
      }
      jt[to] = t;
      jf[to] = f;
      P[to] = ins;
      family_[to] = family_[i];
      barrier_[to] = barrier_[i];
      live_[to] = live_[i];  // (what this pass threaded with: see another())
    }
    p_.resize(static_cast<std::size_t>(next));
    family_.resize(static_cast<std::size_t>(next));
    live_[static_cast<std::size_t>(next)] = 0;
    return true;
  }

  // After a pass that changed the program: whether another would change it again.
  // (Passes used to run until one changed nothing; that last pass was about a third of
  // the optimizer's work. The programs are the same: a dump of 7,845 expressions, each
  // compiled for three link types optimized and not, is the same byte for byte.)
  //
  // Within a pass, every edge is threaded before the state of its target is made (edges
  // go forward), and code made `ret #0` or `jset` is made before the walk; so what is
  // known at each instruction at the end of a pass holds for the program the pass
  // leaves. Another pass would find the same states, so the same outcomes, loads and
  // threads, unless the pass changed what they are found with:
  // - a jump decided on the way (threads before it went up to it; after, they go
  //   through), or a thread stopped by its 64 steps or by the 255 a jump reaches, which
  //   the code the pass drops can lengthen (again_);
  // - a register needed at an instruction before and not now: a thread may end there.
  // What it would find from the edges alone is checked here: equal code to share (when
  // it is found, the next pass moves the edges and drops what is no longer reached, but
  // does not walk the program: edges moved to code that behaves alike change nothing
  // else it would find), code that now ends only in `ret #0`, a test whose two ways now
  // go to the same place, an `and; jeq #0` that now fits as a `jset`. After such a pass
  // that dropped no jump, equal code and code ending in `ret #0` are not looked for
  // again: moving edges to equal code, and dropping what is no longer reached, changes no
  // reached instruction's successors, so no class of equal code and no `ret #0` status.
  // (A dropped jump to the next instruction does: what fell into it now falls into
  // where it went.)
  constexpr bool another() {
    const instruction* const P = p_.data();
    if (again_) return true;
    const std::size_t n = p_.size();
    if (liveness()) return true;  // (a register needed before, not now)
    // (the next pass starts from what is found here)
    if (only_merged_) {
      ahead_ = ahead::checked;
    } else {
      ahead_ = merge(jt_, jf_) ? ahead::merged : ahead::checked;
      if (ahead_ == ahead::merged) return true;
      if (zero_code(false)) return true;
    }
    for (std::size_t i = 0; i < n; ++i) {
      if (is_conditional_jump(P[i].code) && jt_[i] == jf_[i]) return true;  // (goes one way)
      if (i + 1 < n && jset_fits(i)) return true;
    }
    return false;
  }

  constexpr std::vector<instruction> take() { return std::move(p_); }

  // Copies of the same code: an instruction equal to a later one, with equal successors,
  // behaves as it does; edges to it go to the later one (and the copy goes when no path
  // falls into it). True when an edge moved.
  constexpr bool merge(std::int32_t* jt, std::int32_t* jf) {
    const instruction* const P = p_.data();
    const std::size_t n = p_.size();
    std::vector<key>& keys = keys_;                   // class -> its key
    std::int32_t* const last = last_;  // class -> the last instruction of the class
    std::int32_t* const cls = cls_;
    keys.clear();
    std::int32_t* const table = table_;  // open addressing: key -> class
    const std::size_t mask = merge_room(n) - 1;
    fill(table, mask + 1, -1);
    keys.reserve(n);
    bool moved = false;
    // Backwards: the classes of an instruction's successors, and the last instruction of
    // each, are known when it is reached (every one after it has its class, or none).
    for (std::size_t r = n; r-- > 0;) {
      const instruction& i = P[r];
      cls[r] = -1;
      const std::uint16_t code = static_cast<std::uint16_t>(i.code | (barrier_[r] != 0 ? 0x8000 : 0) |
                                                            (family_[r] != 0 ? 0x4000 : 0));
      std::uint32_t kv = i.k;
      std::int32_t t = -1, f = -1;  // classes of the successors (-1: none)
      const std::uint16_t c = class_of(i.code);
      if (c == jmp) {
        // Its edges go to the last of their target's class (when a conditional one still
        // reaches it).
        const bool conditional = i.code != (jmp | ja);
        for (std::int32_t* e : {&jt[r], &jf[r]}) {
          if (*e >= static_cast<std::int32_t>(n) || cls[static_cast<std::size_t>(*e)] < 0) continue;
          const std::int32_t to = last[static_cast<std::size_t>(cls[static_cast<std::size_t>(*e)])];
          if (to != *e && (!conditional || to - static_cast<std::int32_t>(r) - 1 <= 255)) {
            *e = to;
            moved = true;
          }
        }
        t = jt[r] < static_cast<std::int32_t>(n) ? cls[static_cast<std::size_t>(jt[r])] : -1;
        f = jf[r] < static_cast<std::int32_t>(n) ? cls[static_cast<std::size_t>(jf[r])] : -1;
        if (i.code == (jmp | ja)) kv = 0, f = t;
        if (t < 0 || f < 0) continue;  // (not seen: no class)
      } else if (c != ret) {
        if (r + 1 >= n || cls[r + 1] < 0) continue;
        t = cls[r + 1];
      }
      const key kk{std::uint64_t{code} | std::uint64_t{kv} << 16,
                   std::uint64_t{static_cast<std::uint32_t>(t)} | std::uint64_t{static_cast<std::uint32_t>(f)} << 32};
      const std::uint64_t h = kk.a * 0x9e3779b97f4a7c15u ^ kk.b * 0xc2b2ae3d27d4eb4fu;
      std::size_t slot = static_cast<std::uint32_t>(h ^ (h >> 29)) & mask;
      while (table[slot] >= 0 && !(keys[static_cast<std::size_t>(table[slot])] == kk)) slot = (slot + 1) & mask;
      if (table[slot] < 0) {
        last[keys.size()] = static_cast<std::int32_t>(r);
        keys.push_back(kk);
        table[slot] = static_cast<std::int32_t>(keys.size() - 1);
      }
      cls[r] = table[slot];
    }
    return moved;
  }

 private:
  std::vector<instruction> p_;
  std::vector<std::uint8_t> family_;
  std::vector<std::int32_t> words_;  // (the tables below)
  std::vector<std::uint8_t> bytes_;
  std::uint8_t* barrier_ = nullptr;  // 1: a jump decided by a constant (see pass())
  std::vector<vnode> values_;
  std::vector<state> in_;  // per instruction: what is known on entry (see pass())
  state cur_;               // what is known on entry to pending_, when it is kept here
  std::int32_t pending_ = -1;
  bool again_ = false;         // this pass changed what a pass finds from (see another())
  bool only_merged_ = false;   // this pass only moved edges to equal code (see another())
  // What another() left for the next pass: nothing; or its edges (jt_, jf_) and
  // liveness, with nothing to merge in them; or the same, merged.
  enum class ahead : std::uint8_t { none, checked, merged };
  ahead ahead_ = ahead::none;
  std::int32_t *jt_ = nullptr, *jf_ = nullptr, *at_ = nullptr, *cls_ = nullptr, *last_ = nullptr, *table_ = nullptr;
  std::int32_t* loadv_ = nullptr;  // per instruction: its load's value (-2: not numbered yet)
  std::uint8_t *zero_ = nullptr, *seen_ = nullptr, *drop_ = nullptr;
  struct key {
    std::uint64_t a;  // code (with the barrier and family bits) and k
    std::uint64_t b;  // the classes of the successors, as 32-bit words (-1: none)
    constexpr bool operator==(const key&) const noexcept = default;
  };
  std::vector<key> keys_;
  std::uint8_t* live_ = nullptr;  // per instruction: bit 0 A live on entry, bit 1 X

  // Values are numbered through a hash table (open addressing over values_); with each
  // value its constant, when it folds to one (see exact()).
  std::vector<std::int32_t> index_;
  struct folded {
    std::uint32_t c;
    std::int8_t depth;  // how deep its folding goes (-1: not a constant)
  };
  std::vector<folded> konst_;

  static constexpr std::uint32_t hash(const vnode& v) noexcept {
    std::uint32_t h = (static_cast<std::uint32_t>(v.op) << 16 | v.code) * 0x9e3779b1u;
    h ^= static_cast<std::uint32_t>(v.a) * 0x85ebca6bu;
    h ^= static_cast<std::uint32_t>(v.b) * 0xc2b2ae35u;
    h ^= v.k * 0x27d4eb2fu;
    return h ^ (h >> 15);
  }
  constexpr std::int32_t number(const vnode& v) {
    if (v.op != vop::fresh) {
      if (index_.empty()) index_.assign(64, -1);
      std::size_t slot = hash(v) & (index_.size() - 1);
      for (; index_[slot] >= 0; slot = (slot + 1) & (index_.size() - 1)) {
        if (values_[static_cast<std::size_t>(index_[slot])] == v) return index_[slot];
      }
      index_[slot] = static_cast<std::int32_t>(values_.size());
    }
    add_value(v);
    if (v.op != vop::fresh && 2 * values_.size() > index_.size()) {  // grow: rehash
      index_.assign(index_.size() * 2, -1);
      for (std::size_t i = 0; i < values_.size(); ++i) {
        if (values_[i].op == vop::fresh) continue;
        std::size_t slot = hash(values_[i]) & (index_.size() - 1);
        while (index_[slot] >= 0) slot = (slot + 1) & (index_.size() - 1);
        index_[slot] = static_cast<std::int32_t>(i);
      }
    }
    return static_cast<std::int32_t>(values_.size() - 1);
  }
  constexpr void add_value(const vnode& v) {
    // Its constant: folded through at most 24 operations (as far as exact() looks).
    std::int8_t d = -1;
    std::uint32_t c = 0;
    auto operand = [&](std::int32_t o, std::uint32_t& out) {
      if (o < 0 || konst_[static_cast<std::size_t>(o)].depth < 0) return -1;
      out = konst_[static_cast<std::size_t>(o)].c;
      return static_cast<int>(konst_[static_cast<std::size_t>(o)].depth);
    };
    std::uint32_t l = 0, r = 0;
    bool ok = false;
    if (v.op == vop::konst) {
      d = 0, c = v.k;
    } else if (v.op == vop::alu_k || v.op == vop::negate) {
      const int dl = operand(v.a, l);
      if (dl >= 0 && dl < 24) {
        c = v.op == vop::negate ? 0u - l : fold(v.code, l, v.k, ok);
        if (v.op == vop::negate || ok) d = static_cast<std::int8_t>(dl + 1);
      }
    } else if (v.op == vop::alu_x) {
      const int dl = operand(v.a, l);
      const int dr = operand(v.b, r);
      if (dl >= 0 && dr >= 0 && dl < 24 && dr < 24) {
        c = fold(v.code, l, r, ok);
        if (ok) d = static_cast<std::int8_t>((dl > dr ? dl : dr) + 1);
      }
    }
    values_.push_back(v);
    konst_.push_back(folded{c, d});
  }
  constexpr const vnode& node(std::int32_t v) const { return values_[static_cast<std::size_t>(v)]; }

  // The size of merge()'s table for n instructions: a power of two, at least 2n.
  static constexpr std::size_t merge_room(std::size_t n) noexcept {
    std::size_t room = 16;
    while (room < 2 * n) room *= 2;
    return room;
  }

  template <class T>
  static constexpr void fill(T* t, std::size_t n, int v) {
    for (std::size_t i = 0; i < n; ++i) t[i] = static_cast<T>(v);
  }

  // Which code is reached (seen_), without what is known on the way.
  constexpr void reach() {
    const instruction* const P = p_.data();
    const std::size_t n = p_.size();
    for (std::size_t i = 0; i < n; ++i) {
      if (!seen_[i]) continue;
      const std::uint16_t c = class_of(P[i].code);
      if (c == ret) continue;
      if (c == jmp) {
        if (jt_[i] < static_cast<std::int32_t>(n)) seen_[static_cast<std::size_t>(jt_[i])] = 1;
        if (jf_[i] < static_cast<std::int32_t>(n)) seen_[static_cast<std::size_t>(jf_[i])] = 1;
      } else if (i + 1 < n) {
        seen_[i + 1] = 1;
      }
    }
  }

  // Each jump's absolute targets, in jt_ and jf_.
  constexpr void edges() {
    const instruction* const P = p_.data();
    const std::size_t n = p_.size();
    fill(jt_, n, -1);
    fill(jf_, n, -1);
    for (std::size_t i = 0; i < n; ++i) {
      const instruction& in = P[i];
      if (in.code == (jmp | ja)) {
        jt_[i] = jf_[i] = static_cast<std::int32_t>(i + 1 + in.k);
      } else if (is_conditional_jump(in.code)) {
        jt_[i] = static_cast<std::int32_t>(i + 1 + in.jt);
        jf_[i] = static_cast<std::int32_t>(i + 1 + in.jf);
      }
    }
  }

  // Code from which every way ends in `ret #0` (not through a jump decided by a
  // constant): true when there is some other than a `ret`; made `ret #0` when `apply`.
  constexpr bool zero_code(bool apply) {
    instruction* const P = p_.data();
    const std::size_t n = p_.size();
    std::uint8_t* const zero = zero_;
    fill(zero, n + 1, 0);
    bool found = false;
    for (std::size_t r = n; r-- > 0;) {
      const instruction& i = P[r];
      const std::uint16_t c = class_of(i.code);
      bool z = false;
      if (c == ret) {
        z = rval_of(i.code) == k && i.k == 0;
      } else if (c == jmp) {
        z = barrier_[r] == 0 && jt_[r] < static_cast<std::int32_t>(n) && jf_[r] < static_cast<std::int32_t>(n) &&
            zero[static_cast<std::size_t>(jt_[r])] && zero[static_cast<std::size_t>(jf_[r])];
      } else {
        z = r + 1 < n && zero[r + 1];
      }
      zero[r] = z;
      if (z && c != ret) {
        found = true;
        if (!apply) return true;
        P[r] = instruction{ret | k, 0, 0, 0};
        jt_[r] = jf_[r] = -1;
      }
    }
    return found;
  }

  // `and #m; jeq #0` at i, with A not needed after and the jumps within reach.
  constexpr bool jset_fits(std::size_t i) const {
    const instruction* const P = p_.data();
    const instruction& a1 = P[i];
    const instruction& j1 = P[i + 1];
    if (a1.code != (alu | and_ | k) || j1.code != (jmp | jeq | k) || j1.k != 0) return false;
    if (((live_at(static_cast<std::size_t>(jt_[i + 1])) | live_at(static_cast<std::size_t>(jf_[i + 1]))) & 1) != 0) return false;
    if (jt_[i + 1] - static_cast<std::int32_t>(i) - 1 > 255 || jf_[i + 1] - static_cast<std::int32_t>(i) - 1 > 255) return false;
    return true;
  }

  // Which registers each instruction's entry needs (a backward pass; jumps go forward).
  // True when one was needed somewhere before and is not now (live_ holds what was found
  // before: see pass()).
  constexpr bool liveness() {
    const instruction* const P = p_.data();
    const std::size_t n = p_.size();
    live_[n] = 0;
    std::uint8_t gone = 0;
    std::uint8_t after = 0;  // (live on entry to r + 1)
    for (std::size_t r = n; r-- > 0;) {
      const instruction& i = P[r];
      const live_rule u = live_rules.rule[i.code & 0xff];
      std::uint8_t l = u.use;
      if (u.kind == live_rule::straight) {
        l = static_cast<std::uint8_t>(l | (after & ~u.kill));
      } else if (u.kind == live_rule::always) {
        l = live_at(r + 1 + i.k);
      } else if (u.kind == live_rule::conditional) {
        l = static_cast<std::uint8_t>(l | live_at(r + 1 + i.jt) | live_at(r + 1 + i.jf));
      }
      gone = static_cast<std::uint8_t>(gone | (live_[r] & ~l));
      live_[r] = l;
      after = l;
    }
    return gone != 0;
  }
  constexpr std::uint8_t live_at(std::size_t i) const { return i <= p_.size() ? live_[i] : 0; }

  // The exact value of v, if it is a constant (folded through at most 24 operations).
  constexpr bool exact(std::int32_t v, std::uint32_t& out) const {
    const folded* const K = konst_.data();
    if (v < 0 || K[static_cast<std::size_t>(v)].depth < 0) return false;
    out = K[static_cast<std::size_t>(v)].c;
    return true;
  }

  // The outcome of "v op k" on this path: 1, 0, or -1 (not known). libpcap's rules, so
  // that the programs it finds reject everything are the ones found here: a constant
  // value decides it; so does the same test taken before; and equalities found true
  // before (on different paths that meet here: v is one of their constants) decide an
  // equality with a constant.
  template <class Facts>
  constexpr int decide(std::int32_t v, std::uint16_t op, std::uint32_t kv, const Facts& facts) const {
    if (v < 0) return -1;
    std::uint32_t c = 0;
    if (exact(v, c)) return test(op, c, kv) ? 1 : 0;
    int one_of = 0;
    bool among = false;
    for (const fact& f : facts) {
      if (f.v != v || f.op != op) continue;
      if (op == jeq && f.outcome) {
        ++one_of;
        among = among || f.k == kv;
        continue;
      }
      if (f.k == kv) return f.outcome ? 1 : 0;
    }
    if (one_of > 0 && !among) return 0;
    if (one_of == 1 && among) return 1;
    return -1;
  }
  static constexpr bool is_equal(const fact& f, std::int32_t v) {
    return f.v == v && f.op == jeq && f.outcome;
  }

  template <class Set>
  static constexpr bool has(const Set& set, std::int32_t v) {
    for (std::int32_t e : set) {
      if (e == v) return true;
    }
    return false;
  }
  static constexpr void add_fact(state& s, const fact& f) {
    if (f.op == jeq && f.outcome) {  // (v is k now: not one of several)
      for (std::size_t i = s.facts.size(); i-- > 0;) {
        if (is_equal(s.facts[i], f.v)) s.facts.erase_at(i);
      }
    }
    s.facts.push(f);
  }
  static constexpr void add_loaded(state& s, std::int32_t v) {
    if (v < 0 || has(s.loaded, v)) return;
    s.loaded.push(v);
  }

  // The value a load gives, or -1 when it cannot be numbered (ancillary data: the
  // kernel's `random` differs each time; scratch memory, which the caller reads from
  // the state).
  constexpr std::int32_t load_value(std::int32_t X, const instruction& i, bool into_x, std::uint8_t family) {
    const std::uint16_t mode = mode_of(i.code);
    if (mode == imm) return number({vop::konst, 0, -1, -1, i.k});
    if (mode == len) return number({vop::length, 0, -1, -1, 0});
    if (mode == mem) return -1;
    if (into_x) {
      if (mode == msh && i.k < ancillary_base) return number({vop::msh, 0, -1, -1, i.k});
      return -1;
    }
    if (mode == abs_ && i.k < ancillary_base) return number({vop::load, size_of(i.code), -1, family, i.k});
    if (mode == ind && X >= 0) return number({vop::load_ind, size_of(i.code), X, family, i.k});
    return -1;
  }
  // The same for instruction `pos` of this pass, not from scratch memory: numbered once
  // per pass where it does not depend on X.
  constexpr std::int32_t load_value_at(std::size_t pos, std::int32_t X, const instruction& i, bool into_x) {
    if (mode_of(i.code) == ind) return load_value(X, i, into_x, family_[pos]);
    std::int32_t& known = loadv_[pos];
    if (known == -2) known = load_value(X, i, into_x, family_[pos]);
    return known;
  }
  static constexpr bool packet_load(const instruction& i) {
    const std::uint16_t mode = mode_of(i.code);
    return mode == abs_ || mode == ind || (class_of(i.code) == ldx && mode == msh);
  }

  // The effect of a straight-line instruction other than a load (see pass()) on what is
  // known.
  constexpr void step(state& s, const instruction& i) {
    switch (class_of(i.code)) {
      case st:
        if (i.k < memory_words) s.M[i.k] = s.A;
        return;
      case stx:
        if (i.k < memory_words) s.M[i.k] = s.X;
        return;
      case alu:
      case misc:
        step_registers(s.A, s.X, i);
        return;
      default: return;
    }
  }

  // The effect of an ALU or misc instruction on the registers' values.
  constexpr void step_registers(std::int32_t& A, std::int32_t& X, const instruction& i) {
    switch (class_of(i.code)) {
      case alu: {
        const std::uint16_t op = op_of(i.code);
        if (A < 0) {
          A = number({vop::fresh, 0, -1, -1, 0});
          return;
        }
        std::uint32_t l = 0, r = 0;
        bool ok = false;
        if (op == neg) {
          A = exact(A, l) ? number({vop::konst, 0, -1, -1, 0u - l}) : number({vop::negate, 0, A, -1, 0});
          return;
        }
        if (source_of(i.code) == k) {
          if (exact(A, l)) {
            const std::uint32_t c = fold(op, l, i.k, ok);
            if (ok) {
              A = number({vop::konst, 0, -1, -1, c});
              return;
            }
          }
          A = number({vop::alu_k, op, A, -1, i.k});
          return;
        }
        if (X < 0) {
          A = number({vop::fresh, 0, -1, -1, 0});
          return;
        }
        if (exact(A, l) && exact(X, r)) {
          const std::uint32_t c = fold(op, l, r, ok);
          if (ok) {
            A = number({vop::konst, 0, -1, -1, c});
            return;
          }
        }
        A = number({vop::alu_x, op, A, X, 0});
        return;
      }
      case misc:
        if (miscop_of(i.code) == tax) X = A;
        else A = X;
        return;
      default: return;
    }
  }

  // Where an edge from `from` to `to` can go instead, with what the path knows: follow
  // jumps, loads done before and tests whose outcome is known; stop at anything else.
  // The edge may only be moved to a place whose live registers hold what they would.
  // (What the path knows does not change on the way: only the registers do. A test
  // passed was known already, a load passed was done before, and a store stops it.)
  constexpr std::int32_t thread(const state& s, std::int32_t to, std::int32_t from, bool conditional) {
    // (two edges in five go to a return, which nothing passes: no call for those)
    if (to >= static_cast<std::int32_t>(p_.size()) || class_of(p_.data()[to].code) == ret) return to;
    return thread_on(s, to, from, conditional);
  }
  constexpr std::int32_t thread_on(const state& s, std::int32_t to, std::int32_t from, bool conditional) {
    const instruction* const P = p_.data();
    const std::int32_t n = static_cast<std::int32_t>(p_.size());
    std::int32_t A = s.A, X = s.X;
    std::int32_t best = to;
    std::int32_t pos = to;
    int steps = 0;
    for (; steps < 64 && pos < n; ++steps) {
      const instruction& i = P[static_cast<std::size_t>(pos)];
      const std::uint16_t cls = class_of(i.code);
      if (i.code == (jmp | ja)) {
        if (barrier_[static_cast<std::size_t>(pos)] != 0) break;
        pos = pos + 1 + static_cast<std::int32_t>(i.k);
      } else if (is_conditional_jump(i.code)) {
        std::uint32_t constant = 0;
        if (source_of(i.code) == x || exact(A, constant)) break;  // (libpcap's way)
        const int known = decide(A, op_of(i.code), i.k, s.facts);
        if (known < 0) break;
        pos = pos + 1 + (known == 1 ? i.jt : i.jf);
      } else if (cls == ld || cls == ldx) {
        if (mode_of(i.code) == mem) break;
        const std::int32_t v = load_value_at(static_cast<std::size_t>(pos), X, i, cls == ldx);
        if (v < 0 || (packet_load(i) && !has(s.loaded, v))) break;
        (cls == ldx ? X : A) = v;
        ++pos;
      } else if (cls == alu || cls == misc) {
        if (cls == alu && source_of(i.code) == x && (op_of(i.code) == div_ || op_of(i.code) == mod)) break;
        if (cls == alu && (op_of(i.code) == div_ || op_of(i.code) == mod) && i.k == 0) break;
        step_registers(A, X, i);
        ++pos;
      } else {
        break;  // st, stx, ret
      }
      if (pos >= n) break;
      const std::uint8_t l = live_[static_cast<std::size_t>(pos)];
      const bool a_ok = A == s.A || (l & 1) == 0;
      const bool x_ok = X == s.X || (l & 2) == 0;
      const bool near = !conditional || pos - from - 1 <= 255;
      if (a_ok && x_ok && near) best = pos;
      if (a_ok && x_ok && !near) again_ = true;  // (nearer after this pass's drops)
    }
    if (steps == 64) again_ = true;  // (further after this pass's drops)
    return best;
  }

  // What is known on arrival at `to`: what every path there knows.
  constexpr void arrive(state* in, std::int32_t to, const state& s) {
    std::uint8_t* const seen = seen_;
    if (to < 0 || static_cast<std::size_t>(to) >= p_.size()) return;
    const auto t = static_cast<std::size_t>(to);
    if (!seen[t]) {
      seen[t] = true;
      in[t] = s;
      return;
    }
    state& d = in[t];
    if (d.A != s.A) d.A = -1;
    if (d.X != s.X) d.X = -1;
    for (std::size_t m = 0; m < memory_words; ++m) {
      d.M[m] = d.M[m] == s.M[m] ? d.M[m] : -1;  // (no branch: vectorized)
    }
    // (the facts and loads both know, in d's order: filtered in place)
    if (!same(d.facts, s.facts)) {
      std::size_t kept = 0;
      for (std::size_t f = 0; f < d.facts.count; ++f) {
        const fact& e = d.facts.items[f];
        for (const fact& g : s.facts) {
          if (e.v == g.v && e.op == g.op && e.k == g.k && e.outcome == g.outcome) {
            d.facts.items[kept++] = e;
            break;
          }
        }
      }
      d.facts.count = kept;
    }
    if (!same(d.loaded, s.loaded)) {
      std::size_t kept = 0;
      for (std::size_t l = 0; l < d.loaded.count; ++l) {
        if (has(s.loaded, d.loaded.items[l])) d.loaded.items[kept++] = d.loaded.items[l];
      }
      d.loaded.count = kept;
    }
  }
};

constexpr std::vector<instruction> run(std::vector<instruction> p, std::vector<std::uint8_t> families) {
  if (!validate(p, validation::userland)) return p;
  optimizer o(std::move(p), std::move(families));
  for (int round = 0; round < 32 && o.pass() && o.another(); ++round) {
  }
  return o.take();
}

}  // namespace detail::opt

/// A program with the same verdicts as `prog` on every packet, and usually fewer
/// instructions. A program `validate(prog, validation::userland)` rejects comes back as
/// it is.
constexpr std::vector<instruction> optimize(program prog) {
  return detail::opt::run(std::vector<instruction>(prog.begin(), prog.end()), {});
}

/// True when no return of the program gives anything but 0: it drops every packet.
constexpr bool rejects_all(program prog) noexcept {
  for (const instruction& i : prog) {
    if (class_of(i.code) == ret && (rval_of(i.code) != k || i.k != 0)) return false;
  }
  return true;
}

namespace detail::opt {
// libpcap lays its program out with the return that the false branches from the start
// lead to last; when a program ends in two returns, put them in that order.
constexpr void libpcap_return_order(std::vector<instruction>& p) noexcept {
  const std::size_t n = p.size();
  if (n < 3 || class_of(p[n - 1].code) != ret || class_of(p[n - 2].code) != ret) return;
  const std::uint16_t before = class_of(p[n - 3].code);
  if (before != jmp && before != ret) return;  // (it falls into n - 2)
  std::size_t pc = 0;
  while (pc < n && class_of(p[pc].code) != ret) {
    const instruction& i = p[pc];
    if (i.code == (jmp | ja)) pc += 1 + std::size_t{i.k};
    else if (is_conditional_jump(i.code)) pc += 1 + std::size_t{i.jf};
    else ++pc;
  }
  if (pc != n - 2) return;
  for (std::size_t i = 0; i + 2 < n; ++i) {  // (a conditional jump to n - 2 must still fit)
    const instruction& j = p[i];
    if (is_conditional_jump(j.code) && (j.jt == 255 || j.jf == 255) && i + 1 + 255 == n - 2) return;
  }
  // Swap the two returns; every jump to one goes to the other.
  std::swap(p[n - 1], p[n - 2]);
  for (std::size_t i = 0; i + 2 < n; ++i) {
    instruction& j = p[i];
    auto flip = [&](std::size_t to) { return to == n - 1 ? n - 2 : to == n - 2 ? n - 1 : to; };
    if (j.code == (jmp | ja)) {
      j.k = static_cast<std::uint32_t>(flip(i + 1 + j.k) - i - 1);
    } else if (is_conditional_jump(j.code)) {
      j.jt = static_cast<std::uint8_t>(flip(i + 1 + j.jt) - i - 1);
      j.jf = static_cast<std::uint8_t>(flip(i + 1 + j.jf) - i - 1);
    }
  }
}

// pcap_compile's test for "expression rejects all packets" on its optimized program: from
// the first instruction, past straight-line ones and jumps that go one way, a `ret #0`.
// (It is weaker than rejects_all: `ip and 1 + 1 = 3` compiles, `1 + 1 = 3` does not.)
constexpr bool root_rejects(program prog) noexcept {
  std::size_t pc = 0;
  while (pc < prog.size()) {
    const instruction& i = prog[pc];
    if (class_of(i.code) == ret) return rval_of(i.code) == k && i.k == 0;
    if (i.code == (jmp | ja)) {
      pc += 1 + std::size_t{i.k};
    } else if (is_conditional_jump(i.code)) {
      if (i.jt != i.jf) return false;
      pc += 1 + std::size_t{i.jt};
    } else {
      ++pc;
    }
  }
  return false;
}
}  // namespace detail::opt

}  // namespace wirespan::filter
