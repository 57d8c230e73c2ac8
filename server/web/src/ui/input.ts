/**
 * Presses: a pointer (mouse, touch, pen) held on the stage, or the space bar anywhere but in a text field.
 * Times are the events' own time stamps (the page's clock), so a busy frame does not change a press's
 * length.
 *
 * @module
 */

/** What a press does. */
export interface PressHandlers {
  press(at: number): void;
  release(at: number): void;
}

/** Listens for presses on `stage` and the space bar. */
export function bindInput(stage: HTMLElement, handlers: PressHandlers): void {
  let pointer: number | null = null;
  stage.addEventListener("pointerdown", (event) => {
    if (pointer !== null || (event.pointerType === "mouse" && event.button !== 0)) return;
    pointer = event.pointerId;
    stage.setPointerCapture(event.pointerId);
    event.preventDefault();
    handlers.press(event.timeStamp);
  });
  const end = (event: PointerEvent) => {
    if (event.pointerId !== pointer) return;
    pointer = null;
    handlers.release(event.timeStamp);
  };
  stage.addEventListener("pointerup", end);
  stage.addEventListener("pointercancel", end);
  stage.addEventListener("contextmenu", (event) => event.preventDefault());

  let space = false;
  const typing = (target: EventTarget | null) =>
    target instanceof HTMLInputElement || target instanceof HTMLTextAreaElement || (target instanceof HTMLElement && target.isContentEditable);
  window.addEventListener("keydown", (event) => {
    if (event.code !== "Space" || typing(event.target)) return;
    event.preventDefault();
    if (event.repeat || space) return;
    space = true;
    handlers.press(event.timeStamp);
  });
  window.addEventListener("keyup", (event) => {
    if (event.code !== "Space" || !space) return;
    event.preventDefault();
    space = false;
    handlers.release(event.timeStamp);
  });
  window.addEventListener("blur", () => {
    if (space) handlers.release(performance.now());
    space = false;
  });
}
