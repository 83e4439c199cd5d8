/** A server or validation message under a form; renders nothing when empty. */
export function FormError({ message, id }: { message: string; id?: string }) {
  if (!message) return null;
  return (
    <p class="form-error" role="alert" id={id}>
      {message}
    </p>
  );
}
