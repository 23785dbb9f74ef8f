// Volleyball-<Task>-v0 parameters, task table, buffer view and constants, shared by the CPU
// executor, CUDA and the bindings. Tasks and rules after VolleyBots (thu-uav/VolleyBots @680493a);
// the constants are those of ../shared/reference/volleyball.md, which names their sources.
// Agents: the drones of one env, in VolleyBots' order (competitive: team 0 first, near side x > 0).
#pragma once
#include <cstdint>

#include "../../common/hd.h"

namespace mw::vb {

enum Task : int32_t {
  kBackAndForth = 0,
  kHitBall = 1,
  kSoloBump = 2,
  kBumpAndPass = 3,
  kSetAndSpike = 4,
  kSetAndSpikeHard = 5,
  k1v1 = 6,
  k3v3 = 7,
  k6v6 = 8,
  kNumTasks = 9
};
enum ActionMode : int32_t { kPerRotorThrust = 0, kThrustBodyRates = 1 };
enum Autoreset : int32_t { kSameStep = 0, kNextStep = 1, kDisabled = 2 };

constexpr int32_t kMaxDrones = 12;
constexpr int32_t kActionDim = 4;
constexpr int32_t kDroneOut = 13;   // outDrone per drone: pos 3, quat 4 (wxyz), vel 3, world angular vel 3
constexpr int32_t kNumMetrics = 8;  // metric slots per env; names per task in TypeScript
constexpr int32_t kRuleInts = 8;
constexpr int32_t kRuleFloats = 8;
constexpr int32_t kBallFields = 12;  // pos 3, vel 3, pos at the previous step 3, vel at the previous step 3
constexpr int32_t kBoardFields = 20;

// Largest action magnitude accepted (exclusive), as the bindings and the TypeScript checks
// (src/core/float32.ts) use it: anything else is refused before a step runs.
constexpr float kActionLimit = 3.4e38f;

// Status bits per env (View::status); 0 = ok.
enum StatusBit : uint32_t {
  kStatusBadAction = 1u,    // a NaN/Inf action was read (the bindings check first; treated as 0)
  kStatusSteppedDone = 2u,  // stepped an env whose episode had ended (autoreset disabled)
};

// What a task is: its drones, court and limits (VolleyBots cfg/task/*.yaml).
struct TaskSpec {
  int32_t drones;      // agents per env
  int32_t obs_dim;     // per-agent observation length
  int32_t max_steps;   // VolleyBots max_episode_length
  int32_t team_size;   // competitive: drones per team; 0 for drills and cooperative tasks
  int32_t has_ball;    // 0 for BackAndForth
  float length;        // court L (x extent), m
  float width;         // court W (y extent), m
};

MW_HD constexpr TaskSpec task_spec(int32_t task) {
  switch (task) {
    case kBackAndForth: return TaskSpec{1, 26, 800, 0, 0, 18.0f, 9.0f};
    case kHitBall: return TaskSpec{1, 32, 500, 0, 1, 18.0f, 9.0f};
    case kSoloBump: return TaskSpec{1, 32, 800, 0, 1, 18.0f, 9.0f};
    case kBumpAndPass: return TaskSpec{2, 43, 800, 0, 1, 18.0f, 9.0f};
    case kSetAndSpike: return TaskSpec{2, 40, 800, 0, 1, 18.0f, 9.0f};
    case kSetAndSpikeHard: return TaskSpec{2, 40, 800, 0, 1, 18.0f, 9.0f};
    case k1v1: return TaskSpec{2, 37, 1000, 1, 1, 6.0f, 3.0f};
    case k3v3: return TaskSpec{6, 57, 500, 3, 1, 12.0f, 6.0f};
    default: return TaskSpec{12, 78, 500, 6, 1, 18.0f, 9.0f};
  }
}

// Batch-wide constants. Validated by check_params before any buffer is touched.
struct Params {
  int32_t num_envs;        // E
  int32_t task;            // Task
  int32_t num_agents;      // A = task_spec(task).drones
  int32_t obs_dim;         // D = task_spec(task).obs_dim
  int32_t action_mode;     // ActionMode
  int32_t substeps;        // physics substeps per 20 ms control step, 1..16 (VolleyBots: 1)
  int32_t max_steps;       // truncation after this many steps
  int32_t autoreset;       // Autoreset
  int32_t keep_final_obs;  // 1: same-step autoreset copies the last observation to final_obs
  int32_t random_serve;    // 1: the serving drone/side is drawn per episode (VolleyBots random_turn)
};

// Per-env integer rule state (View::rule_i), task-dependent meaning.
enum RuleInt : int32_t {
  kTurn = 0,          // coop: whose hit is next (SetAndSpike 2 = none); 1v1: drone to hit next
  kLastHitter = 1,    // drone credited with the last legal hit (1v1: the drone in turn), -1 none
  kSide = 2,          // competitive: 0 ball on team 0's half (x > 0), 1 on team 1's
  kLastHitStep = 3,   // drills/coop: step of the last (true) hit; -1000 none
  kCount = 4,         // BackAndForth: consecutive steps near the target; coop: last cross step
  kTarget = 5,        // BackAndForth: 0 target A, 1 target B; competitive: serving team
  kFlags = 6,         // RuleFlag bits
  kBounces = 7,       // SoloBump: bounces ended by a true hit (apexes summed in kApexSum)
};
enum RuleFlag : int32_t {
  kFlagHit = 1,           // HitBall: first true hit made
  kFlagSpiked = 2,        // SetAndSpike: the attacker hit
  kFlagCrossed = 4,       // SetAndSpike: the ball crossed the net after the spike
  kFlagBoardPlanned = 8,  // Hard: the board planned an interception
  kFlagBoardHit = 16,     // Hard: the board touched the ball
  kFlagBallDone = 32,     // HitBall: the ball came down after the hit (ballDoneX is set)
};
enum RuleFloat : int32_t {
  kApex = 0,        // SoloBump: highest ball z since the last true hit
  kApexSum = 1,     // SoloBump: sum of the apexes of the bounces ended by true hits
};

// Structure-of-arrays view of a whole batch. Host pointers on the CPU, device pointers on CUDA.
// The state arena (everything up to `actions`) is owned by the executor; the io arena (actions
// in, observations and infos out) is shared with the caller. Frames: world, z up, metres, seconds.
struct View {
  // Input.
  const float* actions;       // [E, A, 4] PRT: per-rotor command in [-1, 1] (clipped);
                              //   CTBR: (roll, pitch, yaw rate, thrust), squashed by tanh
  // Episode bookkeeping.
  uint32_t* seeds;            // [E] RNG seed of each env
  uint32_t* episode;          // [E] episode counter, 0 after a seeded reset
  int32_t* steps;             // [E] steps taken in the current episode
  uint8_t* needs_reset;       // [E] 1 once an episode ended and was not reset yet
  uint32_t* status;           // [E] StatusBit flags of the last call
  // Drones.
  float* pos;                 // [E, A, 3] centre of mass, m
  float* vel;                 // [E, A, 3] linear velocity, m/s (world)
  float* quat;                // [E, A, 4] attitude (w, x, y, z), body -> world, unit
  float* omega;               // [E, A, 3] angular velocity, rad/s (body frame)
  float* throttle;            // [E, A, 4] normalized rotor speed in [0, 1]
  float* pid;                 // [E, A, 6] CTBR: rate-error integral (deg), last body rate (deg/s)
  int32_t* last_hit;          // [E, A] step of the drone's last racket hit (competitive), -1000 none
  uint8_t* flags;             // [E, A] bit 0 may not touch now (3v3/6v6: already hit this
                              //   possession, every drone but the server at the serve, the whole
                              //   other team after a side change), bit 1 near ball last step,
                              //   bit 2 ball in racket last step
  float* ep_return;           // [E, A] sum of rewards this episode
  // Ball and board.
  float* ball;                // [E, 12] pos, vel, pos and vel one step ago
  float* board;               // [E, 20] Hard: pos 3, vel 3, axis 3, planned centre at contact 3,
                              //   planned velocity 3, time to contact (s), planned axis 3, unused 1
  int32_t* rule_i;            // [E, 8] RuleInt slots
  float* rule_f;              // [E, 8] RuleFloat slots
  float* metrics;             // [E, 8] metric accumulators of the running episode
  // Outputs, rewritten by every step / reset: the io arena.
  float* obs;                 // [E, A, D] observations
  float* rewards;             // [E, A]
  uint8_t* terminations;      // [E, A] 0/1
  uint8_t* truncations;       // [E, A] 0/1
  float* out_drone;           // [E, A, 13] pos, quat (wxyz), vel, world angular velocity
  float* out_ball;            // [E, 6] ball pos, vel (zeros without a ball)
  float* out_board;           // [E, 6] board pos, axis (Hard; zeros otherwise)
  uint8_t* out_hit;           // [E, A] 1 where the drone made a legal hit on this step
  uint8_t* episode_done;      // [E] 1 when an episode ended on this step
  float* final_return;        // [E, A] return of the episode that ended on this step
  int32_t* final_length;      // [E] its length in steps
  float* final_metrics;       // [E, 8] its metrics
  float* final_obs;           // [E, A, D] its last observation (same-step, keep_final_obs)
};

}  // namespace mw::vb
